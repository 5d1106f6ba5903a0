import supertest from 'supertest'
import { afterEach, describe, expect, it } from 'vitest'
import { userHash } from '../../server/src/identity/verify-user-hash.ts'
import { personalizationApp, type PersonalizationApp } from '../helpers/personalization-app.ts'
import { anonymousCookie, createTestApp, type TestApp } from '../helpers/test-app.ts'

const browserKey = 'test-browser-key'
const site = 'https://www.example.com'
const secret = 'identity-secret-0123456789'
const browserEnv = { PARLEY_BROWSER_WRITE_KEYS: browserKey, PARLEY_ALLOWED_ORIGINS: site }

let t: TestApp | undefined
let p: PersonalizationApp | undefined
afterEach(async () => {
  await t?.close()
  await p?.close()
  t = undefined
  p = undefined
})

function app(env: Record<string, string> = {}): TestApp {
  t = createTestApp({ ...browserEnv, ...env })
  return t
}

/** A call the way analytics.js sends it: text/plain JSON, the write key in the body. */
function browserCall(a: TestApp, path: string, body: Record<string, unknown>, origin = site) {
  return supertest(a.app)
    .post(path)
    .set('origin', origin)
    .set('content-type', 'text/plain')
    .send(JSON.stringify({ writeKey: browserKey, ...body }))
}

describe('analytics.js short paths', () => {
  it.each([
    ['/v1/i', { userId: 'u', traits: { plan: 'pro' } }],
    ['/v1/g', { userId: 'u', groupId: 'acme', traits: { name: 'Acme' } }],
    ['/v1/t', { userId: 'u', event: 'Signed Up' }],
    ['/v1/p', { userId: 'u', properties: { path: '/pricing' } }],
    ['/v1/b', { batch: [{ type: 'identify', userId: 'u', traits: { plan: 'pro' } }] }],
  ])('accepts %s with a server key as the long name does', async (path, body) => {
    const a = app()
    await a.server(path, body).expect(200, { success: true })
    await a.lookup({ userId: 'u' }).expect(200)
  })

  it('aliases through /v1/a', async () => {
    const a = app()
    await a.server('/v1/p', { anonymousId: 'device-1', properties: { path: '/' } }).expect(200)
    await a.server('/v1/a', { previousId: 'device-1', userId: 'u' }).expect(200)
    const { body } = await a.lookup({ userId: 'u' }).expect(200)
    expect(body.profile.anonymousIds).toEqual(['device-1'])
  })
})

describe('a browser write key', () => {
  it('makes a call browser traffic: CORS for the allowed origin, the cookie, the ids in the answer', async () => {
    const a = app()
    const response = await browserCall(a, '/v1/p', {
      anonymousId: 'device-1',
      properties: { url: `${site}/pricing`, path: '/pricing' },
    }).expect(200)
    expect(response.headers['access-control-allow-origin']).toBe(site)
    expect(anonymousCookie(response)).toMatch(/^parley_aid=/)
    expect(response.body).toEqual({
      success: true,
      anonymousId: 'device-1',
      userId: null,
      segments: [],
      experiences: [],
    })
    const { body } = await a.lookup({ anonymousId: 'device-1' }).expect(200)
    expect(body.profile.visitor.pageViews).toBe(1)
  })

  it('refuses a page on an origin outside the allow-list, and stores nothing', async () => {
    const a = app()
    const response = await browserCall(
      a,
      '/v1/i',
      { anonymousId: 'device-1', traits: { a: 1 } },
      'https://evil.example',
    ).expect(403)
    expect(response.body.error).toMatchObject({ code: 'origin_not_allowed', path: 'origin' })
    await a.lookup({ anonymousId: 'device-1' }).expect(404)
  })

  it('answers a preflight from an allowed origin with the headers browser SDKs send', async () => {
    const a = app()
    const ok = await supertest(a.app)
      .options('/v1/track')
      .set('origin', site)
      .set('access-control-request-method', 'POST')
      .expect(204)
    expect(ok.headers['access-control-allow-origin']).toBe(site)
    expect(ok.headers['access-control-allow-headers']).toContain('Authorization')
    expect(ok.headers['access-control-allow-headers']).toContain('AnonymousId')
    await supertest(a.app).options('/v1/t').set('origin', 'https://evil.example').expect(403)
  })

  it('accepts the browser key as Basic auth too (RudderStack’s browser SDK)', async () => {
    const a = app()
    await supertest(a.app)
      .post('/v1/identify')
      .set('origin', site)
      .auth(browserKey, '')
      .send({ anonymousId: 'device-1', traits: { plan: 'pro' } })
      .expect(200)
    const { body } = await a.lookup({ anonymousId: 'device-1' }).expect(200)
    expect(body.profile.traits).toEqual({ plan: 'pro' })
  })

  it('takes the key from the query string on the beacon path only (RudderStack’s useBeacon)', async () => {
    const a = app()
    const batch = JSON.stringify({
      batch: [{ type: 'track', anonymousId: 'device-1', event: 'Clicked' }],
    })
    await supertest(a.app)
      .post(`/beacon/v1/batch?writeKey=${browserKey}`)
      .set('origin', site)
      .set('content-type', 'text/plain')
      .send(batch)
      .expect(200, { success: true })
    expect((await a.lookup({ anonymousId: 'device-1' })).body.profile.visitor.events).toBe(1)
    const refused = await supertest(a.app)
      .post(`/v1/batch?writeKey=${browserKey}`)
      .set('content-type', 'text/plain')
      .send(batch)
      .expect(401)
    expect(refused.body.error.code).toBe('invalid_write_key')
    await supertest(a.app)
      .post(`/beacon/v1/batch?writeKey=${browserKey}`)
      .set('origin', 'https://evil.example')
      .set('content-type', 'text/plain')
      .send(batch)
      .expect(403)
  })

  it('is held to the per-visitor rate limit of the browser endpoints', async () => {
    const a = app({ PARLEY_RATE_LIMIT_VISITOR_PER_MINUTE: '2' })
    for (let i = 0; i < 2; i += 1)
      await browserCall(a, '/v1/t', { anonymousId: 'device-1', event: 'Clicked' }).expect(200)
    const limited = await browserCall(a, '/v1/t', {
      anonymousId: 'device-1',
      event: 'Clicked',
    }).expect(429)
    expect(limited.body.error).toMatchObject({ code: 'rate_limited', path: 'anonymousId' })
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
    // Server keys are not browser traffic: no visitor limit.
    for (let i = 0; i < 3; i += 1)
      await a.server('/v1/t', { anonymousId: 'device-1', event: 'Clicked' }).expect(200)
  })

  it('refuses alias with 403 server_key_required, alone or in a batch', async () => {
    const a = app()
    await browserCall(a, '/v1/p', { anonymousId: 'device-1' }).expect(200)
    const refused = await browserCall(a, '/v1/a', {
      previousId: 'device-1',
      userId: 'victim',
    }).expect(403)
    expect(refused.body.error).toMatchObject({ code: 'server_key_required', path: 'type' })
    const batch = await browserCall(a, '/v1/b', {
      batch: [
        { type: 'alias', previousId: 'device-1', userId: 'victim' },
        { type: 'track', anonymousId: 'device-1', event: 'Clicked' },
      ],
    }).expect(200)
    expect(batch.body.rejected).toEqual([
      expect.objectContaining({ index: 0, code: 'server_key_required', path: 'batch[0].type' }),
    ])
    await a.lookup({ userId: 'victim' }).expect(404)
    const { body } = await a.lookup({ anonymousId: 'device-1' }).expect(200)
    expect(body.profile.visitor.events).toBe(1)
  })

  it('lets only identify claim a user id; track and page follow the device', async () => {
    const a = app()
    await browserCall(a, '/v1/t', {
      anonymousId: 'device-1',
      userId: 'someone-else',
      event: 'Clicked',
    }).expect(200)
    await a.lookup({ userId: 'someone-else' }).expect(404)
    expect((await a.lookup({ anonymousId: 'device-1' })).body.profile.visitor.events).toBe(1)
  })

  it('ignores context.ip and trusts the connection’s address instead', async () => {
    const a = app({ PARLEY_RATE_LIMIT_IP_PER_MINUTE: '1' })
    await browserCall(a, '/v1/t', {
      anonymousId: 'd1',
      event: 'x',
      context: { ip: '1.1.1.1' },
    }).expect(200)
    // A second device on the same connection with another claimed address shares the IP bucket.
    const limited = await browserCall(a, '/v1/t', {
      anonymousId: 'd2',
      event: 'x',
      context: { ip: '2.2.2.2' },
    }).expect(429)
    expect(limited.body.error.path).toBe('ip')
  })
})

describe('a browser write key with identity verification required', () => {
  const verified = { PARLEY_IDENTITY_SECRET: secret, PARLEY_IDENTITY_VERIFICATION: 'required' }

  it('refuses an identify without userHash, and merges one with it in context', async () => {
    const a = app(verified)
    await browserCall(a, '/v1/p', { anonymousId: 'device-1' }).expect(200)
    const refused = await browserCall(a, '/v1/i', {
      anonymousId: 'device-1',
      userId: 'u',
      traits: { plan: 'pro' },
    }).expect(401)
    expect(refused.body.error.code).toBe('identity_verification_failed')
    await a.lookup({ userId: 'u' }).expect(404)

    const ok = await browserCall(a, '/v1/i', {
      anonymousId: 'device-1',
      userId: 'u',
      traits: { plan: 'pro' },
      context: { userHash: userHash(secret, 'u') },
    }).expect(200)
    expect(ok.body).toMatchObject({ success: true, anonymousId: 'device-1', userId: 'u' })
    const { body } = await a.lookup({ userId: 'u' }).expect(200)
    expect(body.profile.anonymousIds).toEqual(['device-1'])
  })

  it('refuses a call for another user’s id with 403 unverified_user_id, and takes the device’s own', async () => {
    const a = app(verified)
    await browserCall(a, '/v1/i', {
      anonymousId: 'device-1',
      userId: 'u',
      context: { userHash: userHash(secret, 'u') },
    }).expect(200)
    const refused = await browserCall(a, '/v1/t', {
      anonymousId: 'device-1',
      userId: 'victim',
      event: 'Clicked',
    }).expect(403)
    expect(refused.body.error).toMatchObject({ code: 'unverified_user_id', path: 'userId' })
    await browserCall(a, '/v1/t', {
      anonymousId: 'device-1',
      userId: 'u',
      event: 'Clicked',
    }).expect(200)
    // A wrong hash is refused the way identify refuses it.
    const wrong = await browserCall(a, '/v1/t', {
      anonymousId: 'device-1',
      userId: 'victim',
      event: 'Clicked',
      context: { userHash: userHash(secret, 'u') },
    }).expect(401)
    expect(wrong.body.error.code).toBe('identity_verification_failed')
    expect((await a.lookup({ userId: 'u' })).body.profile.visitor.events).toBe(1)
    await a.lookup({ userId: 'victim' }).expect(404)
  })

  it('writes company traits only from a call whose hash proves its user', async () => {
    const a = app(verified)
    const hash = userHash(secret, 'u')
    await browserCall(a, '/v1/i', {
      anonymousId: 'device-1',
      userId: 'u',
      context: { userHash: hash },
    }).expect(200)
    const dropped = await browserCall(a, '/v1/g', {
      anonymousId: 'device-1',
      userId: 'u',
      groupId: 'acme',
      traits: { name: 'Acme' },
    }).expect(200)
    expect(dropped.body.warnings).toEqual([
      expect.objectContaining({ code: 'company_requires_verification', path: 'groupId' }),
    ])
    expect((await a.lookup({ userId: 'u' })).body.profile.account).toBeNull()

    await browserCall(a, '/v1/g', {
      anonymousId: 'device-1',
      userId: 'u',
      groupId: 'acme',
      traits: { name: 'Acme' },
      context: { userHash: hash },
    }).expect(200)
    const { body } = await a.lookup({ userId: 'u' })
    expect(body.profile.account).toMatchObject({ keys: ['id:acme'], traits: { name: 'Acme' } })
  })

  it('keeps server keys trusted: no hash, another user’s id, alias', async () => {
    const a = app(verified)
    await a.server('/v1/i', { anonymousId: 'device-1', userId: 'u' }).expect(200)
    await a.server('/v1/t', { userId: 'other', event: 'Clicked' }).expect(200)
    await a.server('/v1/a', { previousId: 'device-2', userId: 'u' }).expect(200)
    // No origin check either: a backend's call is not browser traffic.
    const fromElsewhere = await a
      .server('/v1/t', { userId: 'other', event: 'Clicked' })
      .set('origin', 'https://evil.example')
      .expect(200)
    expect(fromElsewhere.headers['access-control-allow-origin']).toBeUndefined()
    await a.lookup({ userId: 'other' }).expect(200)
  })
})

describe('the personalisation payload in a browser-key answer', () => {
  it('answers page and identify with the segments and experiences after the call', async () => {
    p = personalizationApp(
      `
segments:
  - id: mobile
    rule: { attribute: device.type, operator: equal, value: mobile }
  - id: from-ads
    rule: { attribute: page.utm.medium, operator: equal, value: cpc }
experiences:
  - id: hero
    segments: [from-ads]
    variations:
      - id: ads
        content: { hero-title: 'Welcome, {{user.name | "friend"}}' }
`,
      undefined,
      browserEnv,
    )
    const page = await supertest(p.app)
      .post('/v1/p')
      .set('origin', site)
      .set('content-type', 'text/plain')
      .send(
        JSON.stringify({
          writeKey: browserKey,
          anonymousId: 'device-1',
          properties: { url: `${site}/` },
          context: {
            campaign: { medium: 'cpc', name: 'spring' },
            userAgent:
              'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148',
            library: { name: 'analytics.js', version: 'next-1.84.3' },
          },
          integrations: { All: false },
        }),
      )
      .expect(200)
    expect(page.body).toMatchObject({
      success: true,
      segments: ['mobile', 'from-ads'],
      experiences: [
        {
          id: 'hero',
          variation: 'ads',
          control: false,
          content: { 'hero-title': 'Welcome, friend' },
        },
      ],
    })
  })
})
