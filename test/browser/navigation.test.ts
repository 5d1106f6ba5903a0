import { describe, expect, it } from 'vitest'
import { hasChromium } from '../helpers/launch-chromium.ts'
import {
  clientReady,
  lookupProfile,
  openFixture,
  recordCalls,
  settledAnonymousId,
  waitForCalls,
} from './browser-fixtures.ts'
import { browserSuite } from './browser-suite.ts'

const slot = `<h1 data-parley-slot="headline">Default headline</h1>`
const slotVisibility = `getComputedStyle(document.querySelector('[data-parley-slot]')).visibility`

describe.skipIf(!hasChromium())('browser client: pages, leaving and the demo', () => {
  const suite = browserSuite()

  it('sends a page view on load and on pushState, replaceState and popstate navigation', async () => {
    const context = await suite.newContext()
    const { page, calls } = await openFixture(context, suite.container())
    await clientReady(page)
    await waitForCalls(page, calls, 1)
    await page.evaluate(() => history.pushState({}, '', '/fixture/step-2?utm_source=ads'))
    await waitForCalls(page, calls, 2)
    await page.evaluate(() => history.replaceState({ same: 'url' }, ''))
    await page.evaluate(() => history.replaceState({}, '', '/fixture/step-3'))
    await waitForCalls(page, calls, 3)
    await page.goBack()
    await waitForCalls(page, calls, 4)
    const pages = calls.map((call) => (call.body.context as { page: Record<string, string> }).page)
    expect(calls.every((call) => call.type === 'page')).toBe(true)
    expect(pages.map((p) => p.path)).toEqual([
      '/fixture',
      '/fixture/step-2',
      '/fixture/step-3',
      '/fixture',
    ])
    expect(pages[1]).toMatchObject({
      search: '?utm_source=ads',
      referrer: `${suite.container().url}/fixture`,
    })
  })

  it('hands the calls still waiting to sendBeacon when the page goes away', async () => {
    const context = await suite.newContext()
    const { page, calls } = await openFixture(context, suite.container())
    await clientReady(page)
    const anonymousId = await settledAnonymousId(page)
    // Keep one call on the wire so the next one is still waiting when the page is left.
    await context.route(`${suite.container().url}/v1/web/identify`, () => undefined)
    await page.evaluate(() => void window.parley?.client?.identify(null, { slow: true }))
    await waitForCalls(page, calls, 2)
    await page.evaluate(() => window.parley?.client?.track('Left the page', { at: 'footer' }))
    await page.waitForTimeout(100)
    expect(calls.map((call) => call.type)).toEqual(['page', 'identify'])

    await page.goto('about:blank')
    // The beacon leaves from the browser, not the page: the container's count shows it arrived.
    await expect
      .poll(async () => {
        const { profile } = await lookupProfile(suite.container(), { anonymousId })
        return profile?.visitor.events
      })
      .toBe(1)
  })

  it('hides marked slots until the payload arrives', async () => {
    const context = await suite.newContext()
    let release = () => {}
    const held = new Promise<void>((done) => (release = done))
    await context.route(`${suite.container().url}/v1/web/page`, async (route) => {
      await held
      await route.continue()
    })
    const { page } = await openFixture(context, suite.container(), {
      settings: { antiFlicker: 10_000 },
      body: `${slot}<p id="other">Not a slot</p>`,
      waitUntil: 'domcontentloaded',
    })
    await clientReady(page)
    expect(await page.evaluate(slotVisibility)).toBe('hidden')
    expect(
      await page.evaluate(() => getComputedStyle(document.getElementById('other')!).visibility),
    ).toBe('visible')
    release()
    await page.waitForFunction(slotVisibility + ` === 'visible'`)
  })

  it('shows the slots after the anti-flicker timeout when the container is slow', async () => {
    const context = await suite.newContext()
    // The page view never gets an answer.
    await context.route(`${suite.container().url}/v1/web/page`, () => undefined)
    const { page } = await openFixture(context, suite.container(), {
      settings: { antiFlicker: 300 },
      body: slot,
      waitUntil: 'domcontentloaded',
    })
    await page.waitForFunction(slotVisibility + ` === 'visible'`)
    expect(await page.locator('#parley-anti-flicker').count()).toBe(0)
  })

  it('works when the site mounts the container under a path of its own domain', async () => {
    const context = await suite.newContext()
    const origin = suite.container().url
    // A reverse proxy: /metrics/* on the site goes to the container's /*.
    await context.route(`${origin}/metrics/**`, async (route) => {
      const target = route.request().url().replace(`${origin}/metrics`, origin)
      await route.fulfill({ response: await route.fetch({ url: target }) })
    })
    const { page, calls } = await openFixture(context, suite.container(), {
      path: '/shop/product',
      loader: '<script src="/metrics/parley/loader.js"></script>',
    })
    const urls: string[] = []
    page.on('request', (request) => urls.push(new URL(request.url()).pathname))
    await clientReady(page)
    await page.evaluate(() => window.parley?.client?.identify('u-mounted'))
    expect(calls.map((call) => call.type)).toEqual(['page', 'identify'])
    expect(urls).toContain('/metrics/v1/web/identify')
    expect((await lookupProfile(suite.container(), { userId: 'u-mounted' })).status).toBe(200)
  })

  it('runs the demo: the login form pushes to the dataLayer and identifies the visitor', async () => {
    const context = await suite.newContext()
    const page = await context.newPage()
    const calls = recordCalls(page)
    await page.goto(`${suite.container().url}/`)
    await clientReady(page)
    await page.fill('input[name=userId]', 'u-demo-7')
    await page.fill('input[name=email]', 'grace@navy.example.org')
    const identified = page.waitForResponse((r) => r.url().endsWith('/v1/web/identify'))
    await page.click('button[type=submit]')
    await identified
    await expect
      .poll(() => page.locator('#payload').textContent())
      .toContain('"userId": "u-demo-7"')
    const events = (await page.evaluate(() => window.dataLayer)) as Record<string, unknown>[]
    expect(events.find((item) => item.event === 'login')).toMatchObject({
      userId: 'u-demo-7',
      email: 'grace@navy.example.org',
      company: { name: 'Example Analytics', domain: 'example-analytics.com' },
    })
    expect(events.map((item) => item.event)).toContain('parley.identified')
    const { profile } = await lookupProfile(suite.container(), { userId: 'u-demo-7' })
    expect(profile?.traits).toMatchObject({ email: 'grace@navy.example.org' })

    await page.click('a[href="/pricing"] >> nth=0')
    await clientReady(page)
    await page.click('[data-billing=annual]')
    // Wait for that page view itself: the pricing page's own calls may still be arriving.
    await expect
      .poll(
        () =>
          calls.some(
            (call) =>
              call.type === 'page' &&
              String((call.body.context as { page: { url: string } }).page.url).endsWith(
                '/pricing?billing=annual',
              ),
          ),
        { timeout: 5_000 },
      )
      .toBe(true)
  })
})
