import supertest from 'supertest'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { userHash } from '../../server/src/identity/verify-user-hash.ts'
import { junkIds } from '../fixtures/junk-ids.ts'
import { anonymousCookie, createTestApp, type TestApp } from '../helpers/test-app.ts'

let t: TestApp
beforeEach(() => {
  t = createTestApp()
})
afterEach(async () => {
  await t.close()
})

/** A browser call as the client sends it: JSON in a text/plain body, with the cookie if any. */
function web(type: string, body: object, cookie?: string): supertest.Test {
  const request = supertest(t.app)
    .post(`/v1/web/${type}`)
    .set('content-type', 'text/plain;charset=UTF-8')
  if (cookie !== undefined) request.set('cookie', cookie)
  return request.send(JSON.stringify(body))
}

describe('POST /v1/web/identify', () => {
  it('gives a new visitor an anonymous id in a signed, HttpOnly, SameSite=Lax cookie kept 400 days', async () => {
    const response = await web('identify', {
      userId: null,
      traits: { viewedPricing: true },
    }).expect(200)
    expect(response.body.anonymousId).toMatch(/^[0-9a-f-]{36}$/)
    const cookie = ([] as string[]).concat(response.headers['set-cookie'] ?? [])[0] ?? ''
    expect(cookie).toMatch(/^parley_aid=s%3A/)
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/SameSite=Lax/)
    expect(cookie).toMatch(/Max-Age=34560000/)
    expect(cookie).not.toMatch(/Secure/)
  })

  it('marks the cookie Secure when served over https behind a trusted proxy', async () => {
    await t.close()
    t = createTestApp({ PARLEY_TRUST_PROXY: '1' })
    const response = await web('identify', { traits: {} })
      .set('x-forwarded-proto', 'https')
      .expect(200)
    expect(String(response.headers['set-cookie'])).toMatch(/Secure/)
  })

  it('keeps anonymous traits on the visitor and finds them again through the cookie alone', async () => {
    const first = await web('identify', { userId: null, traits: { viewedPricing: true } }).expect(
      200,
    )
    const cookie = anonymousCookie(first)
    const second = await web('identify', { traits: { plan: 'trial' } }, cookie).expect(200)
    expect(second.body.anonymousId).toBe(first.body.anonymousId)
    const { body } = await t.lookup({ anonymousId: first.body.anonymousId as string }).expect(200)
    expect(body.profile.userId).toBeNull()
    expect(body.profile.traits).toEqual({ viewedPricing: true, plan: 'trial' })
  })

  it('prefers the anonymous id in the body over the cookie and moves the cookie to it', async () => {
    const first = await web('identify', { traits: {} }).expect(200)
    const response = await web(
      'identify',
      { anonymousId: 'device-from-storage', traits: {} },
      anonymousCookie(first),
    )
    expect(response.body.anonymousId).toBe('device-from-storage')
    expect(String(response.headers['set-cookie'])).toMatch(/parley_aid=s%3Adevice-from-storage/)
  })

  it('ignores a tampered cookie and starts a new anonymous id', async () => {
    const first = await web('identify', { traits: { secret: 'mine' } }).expect(200)
    const forged = anonymousCookie(first).replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))
    const second = await web('identify', { traits: {} }, forged).expect(200)
    expect(second.body.anonymousId).not.toBe(first.body.anonymousId)
  })

  it('turns the anonymous visitor into the known user on login, keeping the same profile', async () => {
    await web('identify', { anonymousId: 'A', traits: { viewedPricing: true } }).expect(200)
    const login = await web('identify', {
      anonymousId: 'A',
      userId: 'a1cab6eb-fe12-4ded-beb5-201e9cb575c7',
      traits: { name: 'Marc Benioff', email: 'marc@salesforce.com', title: 'CEO' },
    }).expect(200)
    // No personalisation config here: the payload fields come back empty.
    expect(login.body).toEqual({
      anonymousId: 'A',
      userId: 'a1cab6eb-fe12-4ded-beb5-201e9cb575c7',
      segments: [],
      experiences: [],
    })
    const { body } = await t.lookup({ userId: 'a1cab6eb-fe12-4ded-beb5-201e9cb575c7' }).expect(200)
    expect(body.profile.anonymousIds).toEqual(['A'])
    expect(body.profile.traits).toMatchObject({
      viewedPricing: true,
      email: 'marc@salesforce.com',
      firstName: 'Marc',
    })
    expect(body.profile.mergeLog).toEqual([
      expect.objectContaining({ kind: 'identified', anonymousId: 'A' }),
    ])
  })

  it('merges a second device into the known user', async () => {
    await web('identify', { anonymousId: 'laptop', userId: 'U', traits: { title: 'CEO' } }).expect(
      200,
    )
    await web('page', {
      anonymousId: 'phone',
      properties: { url: 'https://site.test/pricing' },
    }).expect(200)
    await web('identify', { anonymousId: 'phone', traits: { viewedPricing: true } }).expect(200)
    await web('page', { anonymousId: 'laptop', properties: { url: 'https://site.test/' } }).expect(
      200,
    )
    await web('identify', { anonymousId: 'phone', userId: 'U', traits: {} }).expect(200)

    const { body } = await t.lookup({ userId: 'U' }).expect(200)
    expect(body.profile.anonymousIds).toEqual(['laptop', 'phone'])
    expect(body.profile.traits).toEqual({ title: 'CEO', viewedPricing: true })
    expect(body.profile.visitor.pageViews).toBe(2)
    expect(body.profile.mergeLog.map((e: { kind: string }) => e.kind)).toEqual([
      'identified',
      'merged',
    ])
    const byPhone = await t.lookup({ anonymousId: 'phone' }).expect(200)
    expect(byPhone.body.profile.id).toBe(body.profile.id)
  })

  it('never merges two known users on a shared computer and tells the device to start over', async () => {
    await web('identify', {
      anonymousId: 'shared',
      userId: 'V',
      traits: { email: 'v@acme.test' },
    }).expect(200)
    await web('track', { anonymousId: 'shared', event: 'Viewed Dashboard' }).expect(200)
    const second = await web('identify', {
      anonymousId: 'shared',
      userId: 'U',
      traits: { email: 'u@acme.test' },
    }).expect(200)

    expect(second.body.rotated).toBe(true)
    expect(second.body.anonymousId).not.toBe('shared')
    expect(second.body.userId).toBe('U')
    expect(second.body.warnings).toEqual([expect.objectContaining({ code: 'known_user_conflict' })])
    const rotatedId = second.body.anonymousId as string
    expect(anonymousCookie(second)).toMatch(
      new RegExp(`^parley_aid=${encodeURIComponent(`s:${rotatedId}`)}\\.`),
    )

    const v = (await t.lookup({ userId: 'V' }).expect(200)).body.profile
    const u = (await t.lookup({ userId: 'U' }).expect(200)).body.profile
    expect(v.id).not.toBe(u.id)
    expect(v.traits.email).toBe('v@acme.test')
    expect(v.visitor.events).toBe(1)
    expect(v.anonymousIds).toEqual([])
    expect(u.traits.email).toBe('u@acme.test')
    expect(u.anonymousIds).toEqual([second.body.anonymousId])
    expect(u.mergeLog.map((e: { kind: string }) => e.kind)).toEqual(['detached', 'alias_added'])
  })

  it.each(junkIds)(
    'accepts junk user id %j without identifying anyone, keeping the traits on the visitor',
    async (junk) => {
      const response = await web('identify', {
        anonymousId: 'J',
        userId: junk,
        traits: { plan: 'trial' },
      }).expect(200)
      expect(response.body.userId).toBeNull()
      expect(response.body.warnings).toEqual([
        expect.objectContaining({ code: 'junk_user_id', path: 'userId' }),
      ])
      const { body } = await t.lookup({ anonymousId: 'J' }).expect(200)
      expect(body.profile).toMatchObject({ userId: null, traits: { plan: 'trial' } })
    },
  )

  it('does not let a browser page or track call claim a user id', async () => {
    await web('track', { anonymousId: 'A', userId: 'victim', event: 'x' }).expect(200)
    await t.lookup({ userId: 'victim' }).expect(404)
  })
})

describe('identity verification', () => {
  const secret = 'identity-secret-0123456789'
  beforeEach(async () => {
    await t.close()
    t = createTestApp({ PARLEY_IDENTITY_SECRET: secret, PARLEY_IDENTITY_VERIFICATION: 'required' })
  })

  async function knownVictim(): Promise<string> {
    await t
      .server('/v1/identify', {
        userId: 'victim',
        traits: { email: 'ceo@victim.test', plan: 'enterprise' },
      })
      .expect(200)
    return (await t.lookup({ userId: 'victim' })).body.profile.id as string
  }

  it('refuses an identify without the user hash: 401, nothing merged, nothing of the user revealed', async () => {
    const victimId = await knownVictim()
    await web('identify', { anonymousId: 'attacker', traits: { note: 'before' } }).expect(200)
    const response = await web('identify', {
      anonymousId: 'attacker',
      userId: 'victim',
      traits: { plan: 'free' },
    }).expect(401)
    expect(response.body).toEqual({
      error: {
        code: 'identity_verification_failed',
        message: expect.any(String),
        path: 'userHash',
      },
    })
    expect(JSON.stringify(response.body)).not.toContain('victim.test')
    const victim = (await t.lookup({ userId: 'victim' })).body.profile
    expect(victim.id).toBe(victimId)
    expect(victim.anonymousIds).toEqual([])
    expect(victim.traits.plan).toBe('enterprise')
    expect((await t.lookup({ anonymousId: 'attacker' })).body.profile.userId).toBeNull()
  })

  it('refuses a wrong user hash the same way', async () => {
    await knownVictim()
    await web('identify', {
      anonymousId: 'attacker',
      userId: 'victim',
      userHash: userHash(secret, 'attacker'),
      traits: {},
    }).expect(401)
    expect((await t.lookup({ userId: 'victim' })).body.profile.anonymousIds).toEqual([])
  })

  it('merges when the hash is right', async () => {
    await knownVictim()
    await web('identify', {
      anonymousId: 'own-device',
      userId: 'victim',
      userHash: userHash(secret, 'victim'),
      traits: {},
    }).expect(200)
    expect((await t.lookup({ userId: 'victim' })).body.profile.anonymousIds).toEqual(['own-device'])
  })

  it('keeps anonymous browser calls working, but drops their company traits', async () => {
    const response = await web('identify', {
      anonymousId: 'anon',
      traits: { viewedPricing: true, company: { id: 'acme', plan: 'free' } },
    }).expect(200)
    expect(response.body.warnings).toEqual([
      expect.objectContaining({ code: 'company_requires_verification' }),
    ])
    expect((await t.lookup({ anonymousId: 'anon' })).body.profile).toMatchObject({
      traits: { viewedPricing: true },
      account: null,
    })
  })

  it('trusts write-key calls without a hash', async () => {
    await t
      .server('/v1/identify', {
        userId: 'server-user',
        anonymousId: 'dev',
        traits: { company: { id: 'acme' } },
      })
      .expect(200)
    expect((await t.lookup({ userId: 'server-user' })).body.profile.account.keys).toEqual([
      'id:acme',
    ])
  })
})
