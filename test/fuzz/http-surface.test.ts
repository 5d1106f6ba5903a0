import type { Server } from 'node:http'
import { gzipSync } from 'node:zlib'
import fc from 'fast-check'
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { auth, buildApp, type BuiltApp } from '../helpers/build-app.ts'

/**
 * Property tests over the whole HTTP surface with hostile input. Every answer must be a 2xx or a
 * clear 4xx `{error: {code, message, path?}}`, never a 5xx; the process must keep serving; and no
 * global prototype may change. Run counts are bounded so the suite stays fast.
 */

interface Target {
  method: 'post' | 'get' | 'delete'
  path: string
  authorization?: string
}

const browserKey = 'fuzz-browser-key'
const browserAuth = `Basic ${Buffer.from(`${browserKey}:`).toString('base64')}`

const targets: Target[] = [
  ...['identify', 'page', 'track', 'group'].map((type) => ({
    method: 'post' as const,
    path: `/v1/web/${type}`,
  })),
  ...['identify', 'group', 'track', 'page', 'alias', 'batch'].map((type) => ({
    method: 'post' as const,
    path: `/v1/${type}`,
    authorization: auth.write,
  })),
  // analytics.js's short paths, with a browser write key: browser traffic on the tracking API.
  ...['i', 'g', 't', 'p', 'a', 'b'].map((type) => ({
    method: 'post' as const,
    path: `/v1/${type}`,
    authorization: browserAuth,
  })),
  { method: 'post', path: '/v1/admin/suppressions', authorization: auth.admin },
  { method: 'post', path: '/v1/personalize' },
  { method: 'post', path: '/v1/no-such-endpoint' },
]

const queryTargets: Target[] = [
  { method: 'get', path: '/v1/admin/profiles/lookup', authorization: auth.admin },
  { method: 'get', path: '/v1/admin/profiles/export', authorization: auth.admin },
  { method: 'delete', path: '/v1/admin/profiles', authorization: auth.admin },
  { method: 'get', path: '/v1/admin/suppressions', authorization: auth.admin },
  { method: 'delete', path: '/v1/admin/suppressions', authorization: auth.admin },
  { method: 'get', path: '/healthz' },
  { method: 'get', path: '/readyz' },
]

const pollutingKeys = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty']
const fieldKeys = ['userId', 'anonymousId', 'previousId', 'traits', 'properties', 'context']
const moreKeys = ['event', 'name', 'groupId', 'type', 'batch', 'messageId', 'timestamp', 'sentAt']

/** JSON text with own `__proto__`/`constructor` keys placed at random depths. */
const pollutedJson = fc
  .tuple(
    fc.constantFrom(...pollutingKeys),
    fc.constantFrom('{"polluted":1}', '{"prototype":{"polluted":1}}', '1', '"x"', '[1]', 'null'),
    fc.constantFrom(...fieldKeys),
    fc.jsonValue({ maxDepth: 2 }),
  )
  .map(([key, value, field, extra]) => {
    const inner = `{"${key}":${value},"k":${JSON.stringify(extra) ?? 'null'}}`
    return fc.sample(
      fc.constantFrom(
        `{"${key}":${value},"userId":"u-poison","traits":${inner}}`,
        `{"anonymousId":"a-poison","${field}":${inner}}`,
        `{"batch":[{"type":"identify","userId":"u","traits":${inner}}],"${key}":${value}}`,
        `{"userId":"u","traits":{"company":${inner},"nested":{"deeper":${inner}}}}`,
      ),
      1,
    )[0] as string
  })

/** Plausible calls whose fields hold any JSON value. */
const shapedCall = fc
  .dictionary(fc.constantFrom(...fieldKeys, ...moreKeys, ...pollutingKeys), fc.jsonValue(), {
    maxKeys: 8,
  })
  .map((value) => JSON.stringify(value))

/** Nesting far past every limit, in arrays or in traits. */
const deepNesting = fc
  .tuple(fc.integer({ min: 6, max: 20_000 }), fc.boolean())
  .map(([depth, inTraits]) => {
    const nested = `${'{"a":'.repeat(depth % 6_000)}1${'}'.repeat(depth % 6_000)}`
    return inTraits
      ? `{"userId":"deep","traits":${nested}}`
      : `${'['.repeat(depth)}${']'.repeat(depth)}`
  })

/** Strings from just under to far over the size limits. */
const hugeString = fc
  .tuple(fc.integer({ min: 30_000, max: 160_000 }), fc.constantFrom('a', 'é', '\u0000', '"', '𝄞'))
  .map(([size, char]) => JSON.stringify({ userId: 'big', traits: { blob: char.repeat(size) } }))

/** Valid calls cut short anywhere. */
const truncated = fc.tuple(fc.jsonValue({ maxDepth: 3 }), fc.nat()).map(([value, cut]) => {
  const text = JSON.stringify({ userId: 'cut', traits: { value } })
  return text.slice(0, cut % text.length)
})

const bodyText = fc.oneof(
  fc.jsonValue().map((value) => JSON.stringify(value) ?? ''),
  pollutedJson,
  shapedCall,
  deepNesting,
  hugeString,
  truncated,
  fc.string({ maxLength: 200 }),
)

const bodyBytes = fc.oneof(
  { weight: 6, arbitrary: bodyText.map((text) => Buffer.from(text)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)) },
)

const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'text/plain;charset=UTF-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  undefined,
)

const encoding = fc.constantFrom(
  undefined,
  undefined,
  undefined,
  'gzip',
  'gzip-valid',
  'br',
  'bogus',
)

const queryValue = fc.oneof(
  fc.string({ maxLength: 50 }),
  fc.constantFrom('__proto__', 'constructor', '', 'a'.repeat(5_000)),
)
const queryString = fc
  .dictionary(fc.constantFrom('userId', 'anonymousId', 'email', '__proto__', 'x'), queryValue, {
    maxKeys: 3,
  })
  .map((query) => new URLSearchParams(query).toString())

let built: BuiltApp
let server: Server
const prototypeNames = () =>
  [Object, Array, Function, String, Number, Boolean].map((ctor) =>
    Object.getOwnPropertyNames(ctor.prototype).sort().join(','),
  )
let before: string[]

beforeAll(async () => {
  before = prototypeNames()
  built = buildApp({ PARLEY_BROWSER_WRITE_KEYS: browserKey })
  server = built.app.listen(0, '127.0.0.1')
  await new Promise((done) => server.once('listening', done))
})
afterAll(async () => {
  await new Promise((done) => server.close(done))
  await built.close()
})

/** The one rule every answer obeys. */
function expectClearAnswer(res: request.Response, what: string): void {
  expect(res.status, what).toBeLessThan(500)
  if (res.status < 400) return
  expect(res.headers['content-type'], what).toMatch(/^application\/json/)
  const error = (res.body as { error?: Record<string, unknown> }).error
  expect(typeof error?.code, what).toBe('string')
  expect(typeof error?.message, what).toBe('string')
  expect(['string', 'undefined'], what).toContain(typeof error?.path)
}

function expectNoPollution(): void {
  expect(prototypeNames()).toEqual(before)
  expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  expect(Object.prototype.toString.call([])).toBe('[object Array]')
}

describe('HTTP surface under hostile input (fast-check)', () => {
  it('answers every body, content type and encoding with a 2xx or a clear 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...targets),
        bodyBytes,
        contentType,
        encoding,
        async (target, bytes, type, enc) => {
          let req = request(server)[target.method](target.path)
          if (target.authorization !== undefined)
            req = req.set('Authorization', target.authorization)
          if (type !== undefined) req = req.set('Content-Type', type)
          let payload = bytes
          if (enc === 'gzip-valid') {
            payload = gzipSync(bytes)
            req = req.set('Content-Encoding', 'gzip')
          } else if (enc !== undefined) {
            req = req.set('Content-Encoding', enc)
          }
          const res = await req.send(payload)
          expectClearAnswer(res, `${target.path} ${type ?? '-'} ${enc ?? '-'} ${bytes.length}B`)
        },
      ),
      { numRuns: 150 },
    )
    expectNoPollution()
  }, 120_000)

  it('answers every query string on the read and admin endpoints with a 2xx or a clear 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...queryTargets), queryString, async (target, query) => {
        let req = request(server)[target.method](`${target.path}?${query}`)
        if (target.authorization !== undefined) req = req.set('Authorization', target.authorization)
        expectClearAnswer(await req, `${target.method} ${target.path}?${query.slice(0, 80)}`)
      }),
      { numRuns: 100 },
    )
    expectNoPollution()
  }, 60_000)

  it('keeps polluting keys out of stored profiles and every prototype', async () => {
    await fc.assert(
      fc.asyncProperty(pollutedJson, async (json) => {
        for (const target of [targets[0], targets[4]] as Target[]) {
          let req = request(server).post(target.path).set('Content-Type', 'text/plain')
          if (target.authorization !== undefined)
            req = req.set('Authorization', target.authorization)
          expectClearAnswer(await req.send(json), json.slice(0, 120))
        }
      }),
      { numRuns: 60 },
    )
    expectNoPollution()
    await request(server)
      .post('/v1/identify')
      .set('Authorization', auth.write)
      .set('Content-Type', 'text/plain')
      .send(
        // An id no generator produces: the fuzzed admin calls above may have suppressed u-poison.
        '{"userId":"u-final-check","__proto__":{"admin":true},"traits":{"__proto__":{"polluted":1},' +
          '"constructor":{"prototype":{"polluted":1}},"company":{"id":"c","prototype":{"x":1}}}}',
      )
      .expect(200)
    const res = await request(server)
      .get('/v1/admin/profiles/export?userId=u-final-check')
      .set('Authorization', auth.admin)
      .expect(200)
    const text = JSON.stringify(res.body)
    for (const key of ['"__proto__"', '"constructor"', '"prototype"', '"admin"']) {
      expect(text).not.toContain(key)
    }
  }, 60_000)

  it('survives bodies cut off mid-stream and keeps serving afterwards', async () => {
    const { connect } = await import('node:net')
    const address = server.address()
    const port = typeof address === 'object' && address !== null ? address.port : 0
    for (const declared of [100, 40_000, 10_000_000]) {
      await new Promise<void>((done) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.end(
            `POST /v1/web/identify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${declared}\r\n\r\n{"userId":"cut`,
          )
        })
        socket.on('close', () => done())
        socket.on('error', () => done())
        socket.resume()
      })
    }
    await request(server).get('/healthz').expect(200)
    const ok = await request(server)
      .post('/v1/identify')
      .set('Authorization', auth.write)
      .send({ userId: 'still-serving', traits: { plan: 'pro' } })
      .expect(200)
    expect(ok.body).toEqual({ success: true })
    await request(server)
      .get('/v1/admin/profiles/lookup?userId=still-serving')
      .set('Authorization', auth.admin)
      .expect(200)
    expectNoPollution()
  })

  it('answers a body that does not match its Content-Encoding with 400 invalid_encoding', async () => {
    for (const enc of ['gzip', 'deflate', 'br']) {
      const res = await request(server)
        .post('/v1/web/identify')
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', enc)
        .send(Buffer.from('{"userId":"not compressed"}'))
        .expect(400)
      expect(res.body).toEqual({
        error: {
          code: 'invalid_encoding',
          message: 'The body does not match its Content-Encoding',
          path: 'content-encoding',
        },
      })
    }
  })
})
