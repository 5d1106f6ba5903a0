import { describe, expect, it } from 'vitest'
import type { Payload } from '../../client/src/types.ts'
import { hasChromium } from '../helpers/launch-chromium.ts'
import {
  addPayload,
  clientReady,
  lookupProfile,
  openFixture,
  storedAnonymousId,
  waitForCalls,
} from './browser-fixtures.ts'
import { browserSuite } from './browser-suite.ts'

declare global {
  interface Window {
    xss?: number
  }
}

const hostile = [
  '<img src=x onerror="window.xss = 1">',
  '</script><script>window.xss = 2</script>',
  '<svg onload="window.xss = 3"></svg>',
]

describe.skipIf(!hasChromium())('browser client: safety, consent and failures', () => {
  const suite = browserSuite()

  it('renders hostile traits as text and runs no script', async () => {
    const context = await suite.newContext()
    // Content rendered from the visitor's own traits, as a slot template would.
    await addPayload(context, suite.container(), (_answer, call) => {
      const name = (call.body.traits as { name?: string } | undefined)?.name
      return name === undefined
        ? {}
        : {
            experiences: [
              { id: 'exp-hi', variation: 'a', control: false, content: { greeting: `Hi ${name}` } },
            ],
          }
    })
    const { page } = await openFixture(context, suite.container(), {
      body: `<p data-parley-slot="greeting">Hello</p>`,
    })
    await clientReady(page)
    const greeting = page.locator('[data-parley-slot="greeting"]')
    for (const name of hostile) {
      await page.evaluate((traits) => window.parley?.client?.identify(null, traits), { name })
      expect(await greeting.textContent()).toBe(`Hi ${name}`)
      expect(await greeting.evaluate((element) => element.childElementCount)).toBe(0)
    }
    await page.waitForTimeout(200) // give a planted onerror/onload its chance to fire
    expect(await page.evaluate(() => window.xss)).toBeUndefined()
    expect(await page.evaluate(() => document.querySelectorAll('img, svg').length)).toBe(0)
  })

  it('sends and stores nothing while consent is denied, then sends the queued calls in order once granted', async () => {
    const context = await suite.newContext()
    const { page, calls } = await openFixture(context, suite.container(), {
      settings: { personalization: false },
    })
    await clientReady(page)
    const identified = page.evaluate(() =>
      window.parley?.client?.identify('u-consent', { email: 'c@acme.io' }),
    )
    await page.evaluate(() => window.parley?.client?.track('Clicked'))
    await page.waitForTimeout(300) // a call that was going to leave would have left by now
    expect(calls).toHaveLength(0)
    expect(await storedAnonymousId(page)).toBeNull()
    expect(await context.cookies()).toEqual([])

    await page.evaluate(() => window.parley?.client?.consent({ personalization: true }))
    await waitForCalls(page, calls, 3)
    expect(calls.map((call) => call.type)).toEqual(['page', 'identify', 'track'])
    expect((await identified)?.userId).toBe('u-consent')
    expect(await storedAnonymousId(page)).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('sends nothing on leaving the page while consent is denied', async () => {
    const context = await suite.newContext()
    const { page, calls } = await openFixture(context, suite.container(), {
      settings: { personalization: false },
    })
    await clientReady(page)
    await page.evaluate(() => window.parley?.client?.track('Before leaving'))
    const beacons: string[] = []
    context.on('request', (request) => {
      if (request.url().includes('/v1/web/')) beacons.push(request.url())
    })
    await page.goto('about:blank')
    expect(calls).toHaveLength(0)
    expect(beacons).toHaveLength(0)
  })

  it('retries a 500 from the container with the same message and succeeds', async () => {
    const context = await suite.newContext()
    let attempts = 0
    await context.route(`${suite.container().url}/v1/web/identify`, async (route) => {
      attempts += 1
      if (attempts === 1) {
        await route.fulfill({
          status: 500,
          json: { error: { code: 'internal_error', message: 'try again' } },
        })
      } else {
        await route.continue()
      }
    })
    const { page, calls } = await openFixture(context, suite.container())
    await clientReady(page)
    const payload = (await page.evaluate(() =>
      window.parley?.client?.identify('u-retry', { plan: 'team' }),
    )) as Payload
    expect(payload.userId).toBe('u-retry')
    expect(attempts).toBe(2)
    const identifies = calls.filter((call) => call.type === 'identify')
    expect(identifies).toHaveLength(2)
    expect(identifies[0]?.body.messageId).toBe(identifies[1]?.body.messageId)
    const { profile } = await lookupProfile(suite.container(), { userId: 'u-retry' })
    expect(profile?.traits).toMatchObject({ plan: 'team' })
  })

  it('does not retry a 4xx, rejects the Promise and says why in the console in debug mode', async () => {
    const context = await suite.newContext()
    const warnings: string[] = []
    context.on('console', (message) => {
      if (message.type() === 'warning') warnings.push(message.text())
    })
    const { page, calls } = await openFixture(context, suite.container(), {
      settings: { debug: true },
    })
    await clientReady(page)
    const error = await page.evaluate(async () => {
      // Deeper than the container's limit of 5 levels: a 400 that no retry can fix.
      const deep = { a: { b: { c: { d: { e: { f: { g: 1 } } } } } } }
      return window.parley?.client?.identify('u-deep', deep).then(
        () => 'resolved',
        (reason: Error) => reason.message,
      )
    })
    expect(error).toMatch(/^parley: identify: HTTP 400/)
    expect(calls.filter((call) => call.type === 'identify')).toHaveLength(1)
    expect(warnings.some((text) => text.startsWith('parley: identify dropped: HTTP 400'))).toBe(
      true,
    )
    // The next call still goes.
    const count = calls.length
    await page.evaluate(() => window.parley?.client?.track('After the error'))
    await waitForCalls(page, calls, count + 1)
  })

  it('pushes GTM events to the dataLayer and leaves no traits or email on window', async () => {
    const context = await suite.newContext()
    await addPayload(context, suite.container(), (answer) =>
      answer.userId
        ? {
            segments: ['enterprise', 'known-users'],
            experiences: [
              { id: 'exp-1', variation: 'control', control: true, content: {} },
              { id: 'exp-2', variation: 'b', control: false, content: { x: 'y' } },
            ],
          }
        : {},
    )
    const { page } = await openFixture(context, suite.container())
    await clientReady(page)
    await page.evaluate(() =>
      window.parley?.client?.identify('u-gtm-events', {
        email: 'secret.person@acme.io',
        company: { name: 'Acme' },
      }),
    )
    const dataLayer = (await page.evaluate(() => window.dataLayer)) as Record<string, unknown>[]
    // The page view's own answer may already have been announced; the identify's comes last.
    const events = dataLayer.map((item) => item.event)
    expect(events[0]).toBe('parley.ready')
    expect(events.slice(-2)).toEqual(['parley.personalized', 'parley.identified'])
    expect(dataLayer.at(-2)).toEqual({
      event: 'parley.personalized',
      _clear: true,
      parley: {
        segments: ['enterprise', 'known-users'],
        experiences: [
          { id: 'exp-1', variation: 'control', control: true },
          { id: 'exp-2', variation: 'b', control: false },
        ],
      },
    })
    expect(dataLayer.at(-1)).toMatchObject({ parley: { userId: 'u-gtm-events' } })
    const everything = await page.evaluate(() => {
      const seen = new WeakSet<object>()
      const texts: string[] = []
      const walk = (value: unknown, depth: number): void => {
        if (depth > 4 || value === null) return
        if (typeof value === 'string') texts.push(value)
        if (typeof value !== 'object' || seen.has(value)) return
        seen.add(value)
        for (const key of Object.keys(value)) {
          try {
            walk((value as Record<string, unknown>)[key], depth + 1)
          } catch {
            // Some window properties throw on access.
          }
        }
      }
      for (const key of Object.keys(window)) {
        try {
          walk((window as unknown as Record<string, unknown>)[key], 0)
        } catch {
          // as above
        }
      }
      return texts.join('\n')
    })
    expect(everything).not.toContain('secret.person@acme.io')
    expect(everything).not.toContain('Acme')
  })
})
