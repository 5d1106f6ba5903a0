import { describe, expect, it } from 'vitest'
import type { Payload } from '../../client/src/types.ts'
import { hasChromium } from '../helpers/launch-chromium.ts'
import { clientReady, openFixture, storedAnonymousId, waitForCalls } from './browser-fixtures.ts'
import { browserSuite } from './browser-suite.ts'

declare global {
  interface Window {
    identified?: Promise<Payload>
    order?: string[]
  }
}

describe.skipIf(!hasChromium())('browser client: loading and the call queue', () => {
  const suite = browserSuite()

  it('replays the calls made before the client loaded, in order, then runs later pushes at once', async () => {
    const context = await suite.newContext()
    // Hold the client back until the test has seen the calls wait in the queue.
    let release = () => {}
    const held = new Promise<void>((done) => (release = done))
    await context.route(/\/parley\/client\.[0-9a-f]+\.js$/, async (route) => {
      await held
      await route.continue()
    })
    const { page, calls } = await openFixture(context, suite.container(), {
      waitUntil: 'domcontentloaded',
      head: `<script>
        window.order = []
        const client = window.parley.client
        window.identified = client.identify(null, { plan: 'trial' })
        client.track('First step', { n: 1 })
        client.page({ section: 'docs' })
        client.ready(() => window.order.push('ready'))
        client.track('Second step', { n: 2 })
      </script>`,
    })
    expect(await page.evaluate(() => window._parleyq?.map((entry) => entry[0]))).toEqual([
      'identify',
      'track',
      'page',
      'ready',
      'track',
    ])
    expect(calls).toHaveLength(0)

    release()
    await clientReady(page)
    await waitForCalls(page, calls, 4)
    // The queue held a page view, so the client adds no automatic one.
    expect(
      calls.map((call) => [call.type, call.body.event ?? call.body.properties ?? call.body.traits]),
    ).toEqual([
      ['identify', { plan: 'trial' }],
      ['track', 'First step'],
      ['page', { section: 'docs' }],
      ['track', 'Second step'],
    ])
    const payload = await page.evaluate(() => window.identified)
    expect(payload?.anonymousId).toBe(await storedAnonymousId(page))
    expect(await page.evaluate(() => window.order)).toEqual(['ready'])

    await page.evaluate(() => window._parleyq?.push(['track', 'Pushed later']))
    await waitForCalls(page, calls, 5)
    expect(calls[4]?.body.event).toBe('Pushed later')
    expect(await page.evaluate(() => window._parleyq?.length)).toBe(0)
  })

  it('runs a queue of plain arrays (the GTM way, no loader) and finds the container from its src', async () => {
    const context = await suite.newContext()
    const { page, calls } = await openFixture(context, suite.container(), {
      loader: `<script>
        window._parleyq = [
          ['identify', 'gtm-user-1', { email: 'gtm@example.org' }],
          ['track', 'Signed Up', { plan: 'team' }],
        ]
      </script>
      <script async src="/parley/client.js"></script>`,
    })
    await clientReady(page)
    await waitForCalls(page, calls, 3)
    expect(calls.map((call) => call.type)).toEqual(['identify', 'track', 'page'])
    expect(calls[0]?.body).toMatchObject({
      userId: 'gtm-user-1',
      traits: { email: 'gtm@example.org' },
    })
  })

  it('works with the loader pasted into the page, pointed at the client by parleySettings.src', async () => {
    const loader = await (await fetch(`${suite.container().url}/parley/loader.js`)).text()
    const context = await suite.newContext()
    const { page, calls } = await openFixture(context, suite.container(), {
      settings: { src: '/parley/client.js' },
      loader: `<script>${loader}</script><script>window.parley.client.track('Pasted')</script>`,
    })
    await clientReady(page)
    await waitForCalls(page, calls, 2)
    expect(calls.map((call) => call.body.event ?? call.type)).toEqual(['Pasted', 'page'])
    expect(
      await page.evaluate(() =>
        [...document.scripts].map((s) => new URL(s.src || location.href).pathname),
      ),
    ).toContain('/parley/client.js')
  })

  it('sends each call as Segment-style JSON in a text/plain POST', async () => {
    const context = await suite.newContext()
    const { page } = await openFixture(context, suite.container())
    const request = page.waitForRequest((r) => r.url().endsWith('/v1/web/identify'))
    await page.evaluate(() =>
      window.parley?.client?.identify('u-shape', { title: 'CTO' }, { userHash: 'abc' }),
    )
    const sent = await request
    expect(sent.headers()['content-type']).toMatch(/^text\/plain/)
    const body = sent.postDataJSON() as Record<string, unknown>
    expect(body).toMatchObject({
      userId: 'u-shape',
      traits: { title: 'CTO' },
      userHash: 'abc',
      anonymousId: await storedAnonymousId(page),
      context: {
        page: { path: '/fixture', title: 'Fixture', url: `${suite.container().url}/fixture` },
        // Sent only with consent, so enrichment with PARLEY_ENRICHMENT_CONSENT=required may run.
        consent: { personalization: true },
      },
    })
    expect(body.messageId).toMatch(/^[0-9a-f-]{36}$/)
    expect(Date.parse(String(body.timestamp))).toBeLessThanOrEqual(Date.parse(String(body.sentAt)))
  })

  it('refuses to install the loader twice and loads the client once', async () => {
    const context = await suite.newContext()
    const warnings: string[] = []
    context.on('console', (message) => {
      if (message.type() === 'warning') warnings.push(message.text())
    })
    const { page } = await openFixture(context, suite.container(), {
      head: `<script src="/parley/loader.js"></script><script src="/parley/client.js"></script>`,
    })
    await clientReady(page)
    expect(warnings.filter((text) => text.includes('parley: already installed'))).toHaveLength(1)
    expect(
      warnings.filter((text) => text.includes('parley: the client is already running')),
    ).toHaveLength(1)
    expect(
      await page.evaluate(() => document.querySelectorAll('script[src*="/parley/client."]').length),
    ).toBe(2)
  })
})
