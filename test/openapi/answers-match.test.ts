import { readFileSync } from 'node:fs'
import supertest from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { errorAnswer } from '../../server/src/openapi/answer-schemas.ts'
import { routeDocs } from '../../server/src/openapi/route-docs.ts'
import {
  adminToken,
  personalizationApp,
  type PersonalizationApp,
} from '../helpers/personalization-app.ts'

/** The documented 200 schema of a route. */
function answerOf(method: string, path: string): z.ZodType {
  const doc = routeDocs.find((d) => d.method === method && d.path === path)
  if (doc === undefined || !(doc.answer instanceof z.ZodType))
    throw new Error(`no JSON answer for ${path}`)
  return doc.answer
}

/** Parsing keeps every documented field and drops the rest: equal means nothing undocumented. */
function expectDescribed(schema: z.ZodType, body: unknown) {
  expect(schema.parse(body)).toEqual(body)
}

const auth = `Basic ${Buffer.from('test-write-key:').toString('base64')}`
const admin = `Bearer ${adminToken}`

describe('the answers /openapi.json describes', () => {
  let t: PersonalizationApp
  const request = () => supertest(t.app)
  beforeAll(() => {
    t = personalizationApp(readFileSync('config/parley.demo.yaml', 'utf8'), undefined, {
      PARLEY_BROWSER_WRITE_KEYS: 'answers-browser-key',
    })
  })
  afterAll(() => t.close())

  it('match what the Segment API answers, warnings and rejections included', async () => {
    const identify = await request()
      .post('/v1/identify')
      .set('authorization', auth)
      .send({ userId: 'undefined', anonymousId: 'a-1', traits: { email: 'ada@acme.com' } })
      .expect(200)
    expect(identify.body.warnings).toHaveLength(1)
    expectDescribed(answerOf('post', '/v1/identify'), identify.body)
    const batch = await request()
      .post('/v1/batch')
      .set('authorization', auth)
      .send({ batch: [{ type: 'track', userId: 'u-1', event: 'Signed Up' }, { type: 'nope' }] })
      .expect(200)
    expect(batch.body.rejected).toHaveLength(1)
    expectDescribed(answerOf('post', '/v1/batch'), batch.body)
  })

  it('match what the browser endpoints answer', async () => {
    const identify = await request()
      .post('/v1/web/identify')
      .send({ userId: 'u-2', anonymousId: 'a-2', traits: { plan: 'enterprise' } })
      .expect(200)
    expectDescribed(answerOf('post', '/v1/web/identify'), identify.body)
    const track = await request()
      .post('/v1/web/track')
      .send({ anonymousId: 'a-2', event: 'Demo Requested' })
      .expect(200)
    expectDescribed(answerOf('post', '/v1/web/track'), track.body)
    const personalize = await request()
      .post('/v1/personalize')
      .send({ anonymousId: 'a-2', page: { path: '/pricing' } })
      .expect(200)
    expectDescribed(answerOf('post', '/v1/personalize'), personalize.body)
  })

  it('match what the tracking API answers a browser write key, on the short paths too', async () => {
    const identify = await request()
      .post('/v1/i')
      .set('Content-Type', 'text/plain')
      .send(
        JSON.stringify({
          writeKey: 'answers-browser-key',
          type: 'identify',
          userId: 'u-3',
          anonymousId: 'a-3',
          traits: { email: 'u3@example.com' },
        }),
      )
      .expect(200)
    expect(identify.body).toHaveProperty('segments')
    expectDescribed(answerOf('post', '/v1/i'), identify.body)
  })

  it('match what the admin and privacy endpoints answer', async () => {
    await request()
      .post('/v1/identify')
      .set('authorization', auth)
      .send({
        userId: 'u-3',
        anonymousId: 'a-3',
        traits: { company: { name: 'Acme', domain: 'acme.com' } },
      })
      .expect(200)
    /** An admin call answered 200 with exactly the documented shape of its route. */
    const adminCall = async (
      method: 'get' | 'post' | 'delete',
      route: string,
      url: string,
      body?: object,
    ) => {
      const call = request()[method](url).set('authorization', admin)
      const res = await (body === undefined ? call : call.send(body)).expect(200)
      expectDescribed(answerOf(method, route), res.body)
      return res.body
    }
    await adminCall('get', '/v1/admin/profiles/lookup', '/v1/admin/profiles/lookup?userId=u-3')
    await adminCall('get', '/v1/admin/profiles/export', '/v1/admin/profiles/export?userId=u-3')
    const report = '/v1/admin/experiences/:id/report'
    await adminCall('get', report, '/v1/admin/experiences/enterprise-pricing/report')
    const suppressions = '/v1/admin/suppressions'
    await adminCall('post', suppressions, suppressions, { email: 'x@acme.com' })
    await adminCall('get', suppressions, `${suppressions}?email=x@acme.com`)
    await adminCall('delete', suppressions, `${suppressions}?email=x@acme.com`)
    const deleted = await adminCall('delete', '/v1/admin/profiles', '/v1/admin/profiles?userId=u-3')
    expect(deleted.deleted).not.toBeNull()
  })

  it('match what the health checks and errors answer', async () => {
    expectDescribed(answerOf('get', '/healthz'), (await request().get('/healthz').expect(200)).body)
    expectDescribed(answerOf('get', '/readyz'), (await request().get('/readyz').expect(200)).body)
    const error = await request()
      .post('/v1/track')
      .set('authorization', auth)
      .send({ userId: 'u-4' })
      .expect(400)
    expectDescribed(errorAnswer, error.body)
  })
})
