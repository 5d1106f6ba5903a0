import supertest from 'supertest'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/test-app.ts'

let t: TestApp
beforeEach(() => {
  t = createTestApp()
})
afterEach(async () => {
  await t.close()
})

describe('Segment write-key auth', () => {
  it('refuses a call without a write key, or with an unknown one, with 401 invalid_write_key', async () => {
    const anonymous = await supertest(t.app).post('/v1/identify').send({ userId: 'u' }).expect(401)
    expect(anonymous.body.error).toMatchObject({ code: 'invalid_write_key', path: 'authorization' })
    await supertest(t.app)
      .post('/v1/identify')
      .auth('wrong-key', '')
      .send({ userId: 'u' })
      .expect(401)
    await t.lookup({ userId: 'u' }).expect(404)
  })

  it('accepts the write key as Basic auth user name or as writeKey in the body', async () => {
    await supertest(t.app)
      .post('/v1/identify')
      .auth('test-write-key', '')
      .send({ userId: 'a' })
      .expect(200, { success: true })
    await supertest(t.app)
      .post('/v1/identify')
      .send({ writeKey: 'test-write-key', userId: 'b' })
      .expect(200)
    await t.lookup({ userId: 'a' }).expect(200)
    await t.lookup({ userId: 'b' }).expect(200)
  })
})

describe('POST /v1/identify', () => {
  it('reads user traits from context.traits when traits is absent (RudderStack’s browser SDK)', async () => {
    await t
      .server('/v1/identify', {
        userId: 'U',
        context: { traits: { email: 'ada@example.com', plan: 'pro' } },
      })
      .expect(200)
    await t
      .server('/v1/identify', {
        userId: 'U',
        traits: { plan: 'team' },
        context: { traits: { plan: 'ignored', extra: 'ignored' } },
      })
      .expect(200)
    expect((await t.lookup({ userId: 'U' })).body.profile.traits).toEqual({
      email: 'ada@example.com',
      plan: 'team',
    })
  })

  it('creates the known user from a server call with only a user id', async () => {
    await t.server('/v1/identify', { userId: 'U', traits: { email: 'U@Example.com' } }).expect(200)
    const { body } = await t.lookup({ userId: 'U' }).expect(200)
    expect(body.profile).toMatchObject({
      userId: 'U',
      anonymousIds: [],
      traits: { email: 'u@example.com' },
    })
  })

  it('answers 400 missing_identity when neither id is usable', async () => {
    const response = await t
      .server('/v1/identify', { userId: 'null', traits: { a: 1 } })
      .expect(400)
    expect(response.body.error).toMatchObject({ code: 'missing_identity', path: 'userId' })
  })

  it('keeps the later trait by corrected event time, even when it arrives first', async () => {
    const now = t.now()
    // The phone's clock is 10 minutes fast; its event really happened 1 minute ago.
    const fast = 10 * 60_000
    await t
      .server('/v1/identify', {
        userId: 'U',
        traits: { plan: 'newer' },
        timestamp: new Date(now - 60_000 + fast).toISOString(),
        sentAt: new Date(now + fast).toISOString(),
      })
      .expect(200)
    await t
      .server('/v1/identify', {
        userId: 'U',
        traits: { plan: 'older' },
        timestamp: new Date(now - 120_000).toISOString(),
      })
      .expect(200)
    expect((await t.lookup({ userId: 'U' })).body.profile.traits.plan).toBe('newer')
  })

  it('deletes a trait sent as null', async () => {
    await t.server('/v1/identify', { userId: 'U', traits: { title: 'CEO', plan: 'x' } }).expect(200)
    t.advance(1000)
    await t.server('/v1/identify', { userId: 'U', traits: { title: null } }).expect(200)
    expect((await t.lookup({ userId: 'U' })).body.profile.traits).toEqual({ plan: 'x' })
  })

  it('drops a reserved trait of the wrong type with a warning and keeps the rest', async () => {
    const response = await t
      .server('/v1/identify', { userId: 'U', traits: { email: 'nope', title: 'CTO' } })
      .expect(200)
    expect(response.body.warnings).toEqual([
      expect.objectContaining({ code: 'invalid_reserved_trait', path: 'traits.email' }),
    ])
    expect((await t.lookup({ userId: 'U' })).body.profile.traits).toEqual({ title: 'CTO' })
  })
})

describe('retries', () => {
  it('gives a repeated messageId no second effect', async () => {
    const page = { anonymousId: 'A', messageId: 'msg-1', properties: { url: 'https://site.test/' } }
    await t.server('/v1/page', page).expect(200)
    const retry = await t.server('/v1/page', page).expect(200)
    expect(retry.body.warnings).toEqual([expect.objectContaining({ code: 'duplicate_message' })])
    expect((await t.lookup({ anonymousId: 'A' })).body.profile.visitor.pageViews).toBe(1)
  })

  it('scopes message ids per source: the browser cannot pre-empt a server message', async () => {
    await supertest(t.app)
      .post('/v1/web/track')
      .set('content-type', 'text/plain')
      .send(JSON.stringify({ anonymousId: 'A', event: 'x', messageId: 'same' }))
    await t
      .server('/v1/track', { anonymousId: 'A', event: 'x', messageId: 'same' })
      .expect(200, { success: true })
    expect((await t.lookup({ anonymousId: 'A' })).body.profile.visitor.events).toBe(2)
  })
})

describe('POST /v1/track and /v1/page', () => {
  it('counts events and page views and keeps the first touch with its UTM parameters', async () => {
    await t
      .server('/v1/page', {
        anonymousId: 'A',
        properties: {
          url: 'https://site.test/?utm_source=linkedin&utm_campaign=abm',
          referrer: 'https://linkedin.com/',
        },
      })
      .expect(200)
    t.advance(1000)
    await t
      .server('/v1/page', {
        anonymousId: 'A',
        properties: { url: 'https://site.test/pricing' },
        context: { campaign: { source: 'google' } },
      })
      .expect(200)
    await t
      .server('/v1/track', { anonymousId: 'A', event: 'Signed Up', properties: { plan: 'pro' } })
      .expect(200)
    const { visitor } = (await t.lookup({ anonymousId: 'A' })).body.profile
    expect(visitor).toMatchObject({
      pageViews: 2,
      events: 1,
      firstTouch: {
        url: 'https://site.test/?utm_source=linkedin&utm_campaign=abm',
        referrer: 'https://linkedin.com/',
        utm: { source: 'linkedin', campaign: 'abm' },
      },
    })
  })

  it('requires an event name on track', async () => {
    const response = await t.server('/v1/track', { anonymousId: 'A' }).expect(400)
    expect(response.body.error).toMatchObject({ code: 'invalid_field', path: 'event' })
  })
})

describe('POST /v1/alias', () => {
  it('links the previous anonymous id to the user', async () => {
    await t
      .server('/v1/identify', { anonymousId: 'old-device', traits: { viewedPricing: true } })
      .expect(200)
    await t.server('/v1/identify', { userId: 'U', traits: { title: 'CEO' } }).expect(200)
    await t.server('/v1/alias', { previousId: 'old-device', userId: 'U' }).expect(200)
    const { profile } = (await t.lookup({ userId: 'U' })).body
    expect(profile.anonymousIds).toEqual(['old-device'])
    expect(profile.traits).toEqual({ title: 'CEO', viewedPricing: true })
  })

  it('refuses to alias two known users, with a warning', async () => {
    await t.server('/v1/identify', { userId: 'U', traits: {} }).expect(200)
    await t.server('/v1/identify', { userId: 'V', traits: {} }).expect(200)
    const response = await t.server('/v1/alias', { previousId: 'V', userId: 'U' }).expect(200)
    expect(response.body.warnings).toEqual([
      expect.objectContaining({ code: 'alias_refused', path: 'previousId' }),
    ])
    expect((await t.lookup({ userId: 'U' })).body.profile.id).not.toBe(
      (await t.lookup({ userId: 'V' })).body.profile.id,
    )
  })
})

describe('POST /v1/batch', () => {
  it('processes every event and reports each bad one with its index, code and path', async () => {
    const response = await t
      .server('/v1/batch', {
        sentAt: new Date(t.now()).toISOString(),
        batch: [
          { type: 'identify', userId: 'U', anonymousId: 'A', traits: { title: 'CEO' } },
          { type: 'track', anonymousId: 'A' },
          { type: 'launch', userId: 'U' },
          { type: 'page', anonymousId: 'A', properties: { url: 'https://site.test/' } },
        ],
      })
      .expect(200)
    expect(response.body).toEqual({
      success: true,
      rejected: [
        { index: 1, code: 'invalid_field', message: expect.any(String), path: 'batch[1].event' },
        { index: 2, code: 'invalid_field', message: expect.any(String), path: 'batch[2].type' },
      ],
    })
    const { profile } = (await t.lookup({ userId: 'U' })).body
    expect(profile).toMatchObject({
      traits: { title: 'CEO' },
      visitor: { pageViews: 1, events: 0 },
    })
  })

  it('refuses more than 2,500 events with 400 too_many_events and stores none', async () => {
    const batch = Array.from({ length: 2501 }, (_, i) => ({
      type: 'track',
      anonymousId: `a${i}`,
      event: 'e',
    }))
    const response = await t.server('/v1/batch', { batch }).expect(400)
    expect(response.body.error).toMatchObject({ code: 'too_many_events', path: 'batch' })
    await t.lookup({ anonymousId: 'a0' }).expect(404)
  })

  it('refuses a batch over 500 KB with 413', async () => {
    const big = 'x'.repeat(20_000)
    const batch = Array.from({ length: 30 }, (_, i) => ({
      type: 'track',
      anonymousId: `a${i}`,
      event: 'e',
      properties: { big },
    }))
    const response = await t.server('/v1/batch', { batch }).expect(413)
    expect(response.body.error.code).toBe('payload_too_large')
  })

  it('rejects a single event over 32 KB inside a batch and keeps the others', async () => {
    const response = await t
      .server('/v1/batch', {
        batch: [
          {
            type: 'track',
            anonymousId: 'big',
            event: 'e',
            properties: { big: 'x'.repeat(33_000) },
          },
          { type: 'track', anonymousId: 'small', event: 'e' },
        ],
      })
      .expect(200)
    expect(response.body.rejected).toEqual([
      expect.objectContaining({ index: 0, code: 'payload_too_large', path: 'batch[0]' }),
    ])
    await t.lookup({ anonymousId: 'small' }).expect(200)
    await t.lookup({ anonymousId: 'big' }).expect(404)
  })
})
