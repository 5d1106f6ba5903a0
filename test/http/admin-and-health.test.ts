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

describe('GET /v1/admin/profiles/lookup', () => {
  it('needs the admin bearer token', async () => {
    await supertest(t.app).get('/v1/admin/profiles/lookup?userId=u').expect(401)
    const wrong = await supertest(t.app)
      .get('/v1/admin/profiles/lookup?userId=u')
      .set('authorization', 'Bearer nope')
      .expect(401)
    expect(wrong.body.error.code).toBe('invalid_admin_token')
  })

  it('needs a userId or anonymousId', async () => {
    const response = await t.lookup({}).expect(400)
    expect(response.body.error).toMatchObject({ code: 'invalid_field', path: 'query.userId' })
  })

  it('refuses an id with a NUL character, which no profile can have, with 400 on every engine', async () => {
    const response = await t.lookup({ anonymousId: 'a\u0000b' }).expect(400)
    expect(response.body.error).toMatchObject({
      code: 'invalid_field',
      path: 'query.anonymousId',
      message: expect.stringContaining('NUL') as unknown,
    })
  })

  it('answers an unknown user with 404 profile_not_found', async () => {
    const response = await t.lookup({ userId: 'nobody' }).expect(404)
    expect(response.body.error).toMatchObject({ code: 'profile_not_found', path: 'query.userId' })
  })

  it('shows the canonical profile with its ids, traits, account and merge log', async () => {
    await t
      .server('/v1/identify', {
        anonymousId: 'A',
        userId: 'U',
        traits: { email: 'u@acme.test', company: { id: 'acme' } },
      })
      .expect(200)
    const { body } = await t.lookup({ anonymousId: 'A' }).expect(200)
    expect(body.profile).toEqual({
      id: expect.any(String),
      userId: 'U',
      anonymousIds: ['A'],
      traits: { email: 'u@acme.test' },
      account: {
        id: expect.any(String),
        keys: ['id:acme'],
        traits: { id: 'acme' },
        link: { source: 'company', at: t.now() },
      },
      visitor: { firstSeenAt: t.now(), lastSeenAt: t.now(), pageViews: 0, events: 0 },
      createdAt: new Date(t.now()).toISOString(),
      updatedAt: new Date(t.now()).toISOString(),
      mergeLog: [
        {
          at: new Date(t.now()).toISOString(),
          kind: 'identified',
          fromProfileId: null,
          intoProfileId: body.profile.id,
          anonymousId: 'A',
          userId: 'U',
          reason: 'identify call',
          messageId: null,
        },
      ],
    })
  })
})

describe('health', () => {
  it('answers /healthz while the process serves', async () => {
    await supertest(t.app).get('/healthz').expect(200, { status: 'ok' })
  })

  it('answers /readyz only while the store answers', async () => {
    await supertest(t.app).get('/readyz').expect(200, { status: 'ready', store: 'sqlite' })
    await t.store.close()
    const response = await supertest(t.app).get('/readyz').expect(503)
    expect(response.body.error.code).toBe('store_unavailable')
  })

  it('answers a write with 503 store_unavailable, not 2xx, when the store is gone', async () => {
    await t.store.close()
    const response = await t.server('/v1/identify', { userId: 'u' }).expect(503)
    expect(response.body.error.code).toBe('store_unavailable')
  })
})
