import { describe, expect, it } from 'vitest'
import type { Payload } from '../../client/src/types.ts'
import { hasChromium } from '../helpers/launch-chromium.ts'
import {
  addPayload,
  clientReady,
  lookupProfile,
  openFixture,
  settledAnonymousId,
  storedAnonymousId,
  waitForCalls,
} from './browser-fixtures.ts'
import { browserSuite } from './browser-suite.ts'

const slots = `<h1 data-parley-slot="headline">Dashboards for everyone</h1>`

/** A welcome experience for known users, standing in for the container's segment rules. */
const welcome = (answer: Payload): Pick<Payload, 'segments' | 'experiences'> =>
  answer.userId
    ? {
        segments: ['known-users'],
        experiences: [
          {
            id: 'exp-welcome',
            variation: 'b',
            control: false,
            content: { headline: `Welcome back, ${answer.userId}` },
          },
        ],
      }
    : { segments: [], experiences: [] }

const identify = (userId: string | null, traits: Record<string, unknown> = {}) =>
  `window.parley.client.identify(${JSON.stringify(userId)}, ${JSON.stringify(traits)})`

describe.skipIf(!hasChromium())('browser client: identity', () => {
  const suite = browserSuite()

  it('personalises at once after login, without a reload, and again after a reload', async () => {
    const context = await suite.newContext()
    await addPayload(context, suite.container(), welcome)
    const { page, calls } = await openFixture(context, suite.container(), { body: slots })
    await clientReady(page)
    await waitForCalls(page, calls, 1)
    const headline = page.locator('[data-parley-slot="headline"]')
    await expect.poll(() => headline.textContent()).toBe('Dashboards for everyone')

    const payload = await page.evaluate<Payload>(identify('u-login-1', { email: 'ada@acme.io' }))
    expect(payload.userId).toBe('u-login-1')
    // Written before the identify Promise settled: no reload, no polling.
    expect(await headline.textContent()).toBe('Welcome back, u-login-1')

    await page.reload()
    await clientReady(page)
    await expect.poll(() => headline.textContent()).toBe('Welcome back, u-login-1')
    const profile = await lookupProfile(suite.container(), { userId: 'u-login-1' })
    expect(profile.profile?.traits).toMatchObject({ email: 'ada@acme.io' })
  })

  it('joins a second device logging in as the same user to the same profile', async () => {
    const laptop = await openFixture(await suite.newContext(), suite.container())
    const phone = await openFixture(await suite.newContext(), suite.container())
    await Promise.all([clientReady(laptop.page), clientReady(phone.page)])
    await laptop.page.evaluate(identify('u-two-devices', { title: 'CTO' }))
    await phone.page.evaluate(identify('u-two-devices', { plan: 'team' }))
    const laptopId = await storedAnonymousId(laptop.page)
    const phoneId = await storedAnonymousId(phone.page)
    expect(laptopId).not.toBe(phoneId)

    const { profile } = await lookupProfile(suite.container(), { userId: 'u-two-devices' })
    expect(profile?.anonymousIds).toEqual(expect.arrayContaining([laptopId, phoneId]))
    expect(profile?.traits).toMatchObject({ title: 'CTO', plan: 'team' })
  })

  it('gets the same anonymous id back from the container cookie when script storage was wiped', async () => {
    const context = await suite.newContext()
    const first = await openFixture(context, suite.container())
    await clientReady(first.page)
    const original = await settledAnonymousId(first.page)
    expect(original).toMatch(/^[0-9a-f-]{36}$/)

    // What Safari does after 7 days: script-written storage gone, the HttpOnly cookie kept.
    await first.page.evaluate(() => localStorage.clear())
    await context.clearCookies({ name: 'parley_anon' })
    expect((await context.cookies()).map((cookie) => cookie.name)).toEqual(['parley_aid'])

    await first.page.reload()
    await clientReady(first.page)
    await expect.poll(() => storedAnonymousId(first.page)).toBe(original)
    const sentWithoutId = first.calls.at(-1)?.body
    expect(sentWithoutId?.anonymousId).toBeUndefined()
    expect((await context.cookies()).find((c) => c.name === 'parley_anon')?.value).toBe(original)
  })

  it('starts a fresh anonymous visitor on reset(), with no carry-over of the user', async () => {
    const context = await suite.newContext()
    await addPayload(context, suite.container(), welcome)
    const { page, calls } = await openFixture(context, suite.container(), { body: slots })
    await clientReady(page)
    await page.evaluate(identify('u-reset-1'))
    const before = await storedAnonymousId(page)
    const headline = page.locator('[data-parley-slot="headline"]')
    expect(await headline.textContent()).toBe('Welcome back, u-reset-1')

    await page.evaluate(() => window.parley?.client?.reset())
    const after = await storedAnonymousId(page)
    expect(after).toMatch(/^[0-9a-f-]{36}$/)
    expect(after).not.toBe(before)
    // The previous person's content goes at once.
    expect(await headline.textContent()).toBe('Dashboards for everyone')

    const count = calls.length
    await page.evaluate(() => window.parley?.client?.page())
    await waitForCalls(page, calls, count + 1)
    await expect
      .poll(
        async () => (await lookupProfile(suite.container(), { anonymousId: after ?? '' })).status,
      )
      .toBe(200)
    const { profile } = await lookupProfile(suite.container(), { anonymousId: after ?? '' })
    expect(profile?.userId).toBeNull()
  })

  it('ignores the late answer to a call sent before reset()', async () => {
    const context = await suite.newContext()
    await addPayload(context, suite.container(), welcome)
    const { page } = await openFixture(context, suite.container(), { body: slots })
    await clientReady(page)
    await page.evaluate(identify('u-stale'))
    const headline = page.locator('[data-parley-slot="headline"]')
    expect(await headline.textContent()).toBe('Welcome back, u-stale')

    let release = () => {}
    const held = new Promise<void>((done) => (release = done))
    await context.route(`${suite.container().url}/v1/web/page`, async (route) => {
      await held
      await route.fallback()
    })
    await page.evaluate(() => window.parley?.client?.page())
    await page.evaluate(() => window.parley?.client?.reset())
    const fresh = await storedAnonymousId(page)
    const answered = page.waitForResponse((r) => r.url().endsWith('/v1/web/page'))
    release()
    const late = (await (await answered).json()) as Payload
    expect(late.userId).toBe('u-stale')
    await page.evaluate(() => new Promise((done) => setTimeout(done, 50)))
    expect(await storedAnonymousId(page)).toBe(fresh)
    expect(await headline.textContent()).toBe('Dashboards for everyone')
  })

  it('rotates the device id when a second known user logs in on it', async () => {
    const context = await suite.newContext()
    const { page } = await openFixture(context, suite.container())
    await clientReady(page)
    await page.evaluate(identify('u-shared-a'))
    const first = await storedAnonymousId(page)
    const answer = await page.evaluate<Payload>(identify('u-shared-b'))
    expect(answer.rotated).toBe(true)
    const second = await storedAnonymousId(page)
    expect(second).toBe(answer.anonymousId)
    expect(second).not.toBe(first)
    const a = await lookupProfile(suite.container(), { userId: 'u-shared-a' })
    const b = await lookupProfile(suite.container(), { userId: 'u-shared-b' })
    expect(a.profile?.id).not.toBe(b.profile?.id)
    expect(b.profile?.anonymousIds).toContain(second)
    expect(a.profile?.anonymousIds).not.toContain(second)
  })
})
