import supertest from 'supertest'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/test-app.ts'

let t: TestApp
beforeEach(() => {
  t = createTestApp()
})
afterEach(async () => {
  // Whatever came before, the app still serves.
  await supertest(t.app).get('/healthz').expect(200)
  await t.close()
})

const auth = `Basic ${Buffer.from('test-write-key:').toString('base64')}`
const raw = (path: string, body: string, type = 'application/json') =>
  supertest(t.app).post(path).set('authorization', auth).set('content-type', type).send(body)

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 1 }
  for (let i = 1; i < depth; i += 1) value = { n: value }
  return value
}

describe('bad input', () => {
  it.each(['/v1/identify', '/v1/web/identify', '/v1/batch'])(
    'answers malformed JSON on %s with 400 invalid_json',
    async (path) => {
      const response = await raw(path, '{"userId": "u",').expect(400)
      expect(response.body.error).toMatchObject({
        code: 'invalid_json',
        message: expect.stringContaining('JSON'),
      })
    },
  )

  it('reads a body that starts with a byte-order mark', async () => {
    await raw('/v1/identify', '\uFEFF{"userId":"bom-user"}', 'text/plain').expect(200)
    await t.lookup({ userId: 'bom-user' }).expect(200)
  })

  it('answers an empty body with 400 empty_body', async () => {
    expect((await raw('/v1/identify', '').expect(400)).body.error.code).toBe('empty_body')
  })

  it('answers a body that is not an object with 400 invalid_field', async () => {
    const response = await raw('/v1/identify', '[1,2]').expect(400)
    expect(response.body.error).toMatchObject({ code: 'invalid_field', path: 'body' })
  })

  it('answers a call over 32 KB with 413 payload_too_large', async () => {
    const body = JSON.stringify({ userId: 'u', traits: { big: 'x'.repeat(33 * 1024) } })
    expect((await raw('/v1/identify', body).expect(413)).body.error.code).toBe('payload_too_large')
    await t.lookup({ userId: 'u' }).expect(404)
  })

  it('answers traits nested deeper than 5 levels with 400 too_deep naming the path, and stores nothing', async () => {
    await raw('/v1/identify', JSON.stringify({ userId: 'u', traits: nested(5) })).expect(200)
    const response = await raw(
      '/v1/identify',
      JSON.stringify({ userId: 'v', traits: nested(6) }),
    ).expect(400)
    expect(response.body.error).toEqual({
      code: 'too_deep',
      message: expect.any(String),
      path: 'traits.n.n.n.n.n',
    })
    await t.lookup({ userId: 'v' }).expect(404)
  })

  it('answers very deep nesting with 400 too_deep, before any recursion can overflow', async () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n)
    const single = await raw(
      '/v1/identify',
      `{"userId":"u","traits":{"a":${deep(10_000)}}}`,
      'text/plain',
    )
    expect(single.status).toBe(400)
    expect(single.body.error.code).toBe('too_deep')
    // 200 KB of nesting inside a batch: the event is refused, the batch and the process carry on.
    const batch = await raw(
      '/v1/batch',
      `{"batch":[{"type":"track","anonymousId":"a","event":"e","properties":{"p":${deep(100_000)}}},{"type":"track","anonymousId":"b","event":"e"}]}`,
    )
    expect(batch.status).toBe(200)
    expect(batch.body.rejected).toEqual([expect.objectContaining({ index: 0 })])
    await t.lookup({ anonymousId: 'b' }).expect(200)
  })

  it('answers more than 1,000 keys in one call with 400 too_many_keys naming the key', async () => {
    const traits = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, i]))
    const response = await raw('/v1/identify', JSON.stringify({ userId: 'u', traits })).expect(400)
    // The call's own keys count too: userId and traits come first.
    expect(response.body.error).toMatchObject({ code: 'too_many_keys', path: 'traits.k998' })
  })

  it.each([
    [{ userId: 'u', traits: 'not an object' }, 'traits'],
    [{ userId: { id: 1 } }, 'userId'],
    [{ userId: 'u', timestamp: 'last tuesday' }, 'timestamp'],
    [{ userId: 'u', messageId: 12 }, 'messageId'],
    [{ userId: 'u', context: [] }, 'context'],
  ])('answers a wrong type with 400 invalid_field and its path (%j)', async (body, path) => {
    const response = await raw('/v1/identify', JSON.stringify(body)).expect(400)
    expect(response.body.error).toMatchObject({ code: 'invalid_field', path })
    await t.lookup({ userId: 'u' }).expect(404)
  })

  it('answers an id over 400 characters in a server call as junk, never as a user', async () => {
    const response = await raw(
      '/v1/identify',
      JSON.stringify({ userId: 'x'.repeat(401), anonymousId: 'A' }),
    ).expect(200)
    expect(response.body.warnings[0]).toMatchObject({ code: 'junk_user_id', path: 'userId' })
  })

  it('strips __proto__, constructor and prototype keys with a warning and never pollutes a prototype', async () => {
    const body =
      '{"userId":"u","traits":{"__proto__":{"polluted":1},"ok":1,"nested":{"constructor":{"prototype":{"polluted":2}}}},"__proto__":{"admin":true}}'
    const response = await raw('/v1/identify', body).expect(200)
    expect(response.body.warnings.map((w: { path: string }) => w.path).sort()).toEqual([
      '__proto__',
      'traits.__proto__',
      'traits.nested.constructor',
    ])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(({} as Record<string, unknown>).admin).toBeUndefined()
    const { profile } = (await t.lookup({ userId: 'u' })).body
    expect(profile.traits).toEqual({ ok: 1 })
  })

  it('stops one profile from growing past 2,000 traits, and still updates the ones it has', async () => {
    for (let call = 0; call < 3; call += 1) {
      const traits = Object.fromEntries(
        Array.from({ length: 900 }, (_, i) => [`k${call * 900 + i}`, i]),
      )
      await raw('/v1/identify', JSON.stringify({ userId: 'u', traits })).expect(200)
    }
    const { profile } = (await t.lookup({ userId: 'u' })).body
    expect(Object.keys(profile.traits)).toHaveLength(2000)
    t.advance(1000)
    const last = await raw(
      '/v1/identify',
      JSON.stringify({ userId: 'u', traits: { k0: 'updated', fresh: 1 } }),
    ).expect(200)
    expect(last.body.warnings).toEqual([
      expect.objectContaining({ code: 'too_many_traits', path: 'traits' }),
    ])
    const after = (await t.lookup({ userId: 'u' })).body.profile.traits
    expect(after.k0).toBe('updated')
    expect(after.fresh).toBeUndefined()
  })

  it('answers an unsupported content type on a browser endpoint with 415', async () => {
    const response = await raw(
      '/v1/web/identify',
      'userId=u',
      'application/x-www-form-urlencoded',
    ).expect(415)
    expect(response.body.error).toMatchObject({
      code: 'unsupported_media_type',
      path: 'content-type',
    })
  })

  it('reads the tracking API body as JSON whatever its declared type, and a form as bad JSON', async () => {
    await raw(
      '/v1/identify',
      JSON.stringify({ userId: 'u', traits: { a: 1 } }),
      'application/x-www-form-urlencoded',
    ).expect(200)
    expect((await t.lookup({ userId: 'u' })).body.profile.traits).toEqual({ a: 1 })
    const form = await raw('/v1/identify', 'userId=v', 'application/x-www-form-urlencoded')
    expect(form.status).toBe(400)
    expect(form.body.error.code).toBe('invalid_json')
    await t.lookup({ userId: 'v' }).expect(404)
  })

  it('ignores unknown fields', async () => {
    await raw(
      '/v1/identify',
      JSON.stringify({ userId: 'u', traits: { a: 1 }, shoeSize: 44, integrations: { All: true } }),
    ).expect(200)
    expect((await t.lookup({ userId: 'u' })).body.profile.traits).toEqual({ a: 1 })
  })

  it('answers an unknown route with 404 route_not_found in the same JSON shape', async () => {
    const response = await supertest(t.app).get('/v2/nothing').expect(404)
    expect(response.body).toEqual({
      error: { code: 'route_not_found', message: 'No route for GET /v2/nothing' },
    })
  })
})
