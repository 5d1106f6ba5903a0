import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { createGunzip, deflateSync, gzipSync } from 'node:zlib'
import supertest from 'supertest'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { limits } from '../../server/src/contract/limits.ts'
import { AppError } from '../../server/src/errors/app-error.ts'
import { readBody, readDecoded } from '../../server/src/http/read-body.ts'
import { createTestApp, type TestApp } from '../helpers/test-app.ts'

let t: TestApp
let server: Server
let base: string
beforeEach(async () => {
  t = createTestApp()
  server = t.app.listen(0, '127.0.0.1')
  await new Promise((done) => server.once('listening', done))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterEach(async () => {
  // Whatever came before, the app still serves.
  await supertest(t.app).get('/healthz')
  await new Promise((done) => server.close(done))
  await t.close()
})

const auth = `Basic ${Buffer.from('test-write-key:').toString('base64')}`

/** The parts of an answer these tests read. */
interface Answer {
  success?: boolean
  error?: { code: string; message: string; path?: string }
}

/** Sends the bytes exactly as given (supertest would re-serialise a Buffer for JSON or forms). */
async function post(path: string, body: Buffer, headers: Record<string, string>) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: auth, ...headers },
    body,
  })
  return { status: response.status, body: (await response.json()) as Answer }
}

/** `members` × 10 MiB of zeros as concatenated gzip members, about 10 KB each on the wire. */
function gzipBomb(members: number): Buffer {
  const member = gzipSync(Buffer.alloc(10 * 1024 * 1024))
  return Buffer.concat(Array.from({ length: members }, () => member))
}

/** A batch of `count` track events for user `u`, as JSON text. */
function batchJson(count: number, pad = 0): string {
  const batch = Array.from({ length: count }, (_, index) => ({
    type: 'track',
    userId: 'u',
    event: 'Viewed',
    messageId: `m-${index}`,
    properties: { pad: 'x'.repeat(pad) },
  }))
  return JSON.stringify({ batch })
}

describe('compressed bodies on the tracking API', () => {
  it('lands a gzip body declared as a form, the way RudderStack’s Node SDK sends it', async () => {
    const body = gzipSync(
      JSON.stringify({ batch: [{ type: 'identify', userId: 'u', traits: { plan: 'pro' } }] }),
    )
    const response = await post('/v1/batch', body, {
      'content-type': 'application/x-www-form-urlencoded',
      'content-encoding': 'gzip',
    })
    expect(response).toEqual({ status: 200, body: { success: true } })
    expect((await t.lookup({ userId: 'u' })).body.profile.traits).toEqual({ plan: 'pro' })
  })

  it('lands a deflate body', async () => {
    const body = deflateSync(JSON.stringify({ userId: 'u', traits: { plan: 'team' } }))
    expect((await post('/v1/identify', body, { 'content-encoding': 'deflate' })).status).toBe(200)
    expect((await t.lookup({ userId: 'u' })).body.profile.traits).toEqual({ plan: 'team' })
  })

  it('applies the 500 KB batch limit to the inflated size', async () => {
    // ~600 KB of JSON that gzips to a few KB: small on the wire, too large once inflated.
    const over = gzipSync(batchJson(60, 10_000))
    expect(over.length).toBeLessThan(limits.batchBytes / 10)
    const refused = await post('/v1/batch', over, {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    })
    expect(refused.status).toBe(413)
    expect(refused.body.error).toMatchObject({ code: 'payload_too_large', path: 'body' })
    await t.lookup({ userId: 'u' }).expect(404)

    const under = gzipSync(batchJson(40, 10_000))
    const accepted = await post('/v1/batch', under, {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    })
    expect(accepted.status).toBe(200)
    expect((await t.lookup({ userId: 'u' })).body.profile.visitor.events).toBe(40)
  })

  it('applies the 32 KB call limit to the inflated size', async () => {
    const body = gzipSync(JSON.stringify({ userId: 'u', traits: { pad: 'x'.repeat(40_000) } }))
    const response = await post('/v1/identify', body, { 'content-encoding': 'gzip' })
    expect(response.status).toBe(413)
    expect(response.body.error?.code).toBe('payload_too_large')
    await t.lookup({ userId: 'u' }).expect(404)
  })

  it('stops a zip bomb at the limit with 413 and keeps serving', async () => {
    // Under each route's limit on the wire, so it is refused while inflating, not by its length.
    for (const [path, bomb] of [
      ['/v1/batch', gzipBomb(40)],
      ['/v1/identify', gzipBomb(3)],
      ['/v1/web/identify', gzipBomb(3)],
    ] as const) {
      const limit = path === '/v1/batch' ? limits.batchBytes : limits.callBytes
      expect(bomb.length).toBeLessThan(limit)
      const response = await post(path, bomb, {
        'content-type': 'text/plain',
        'content-encoding': 'gzip',
      })
      expect(response.status, path).toBe(413)
      expect(response.body.error?.code, path).toBe('payload_too_large')
    }
    const after = await post('/v1/identify', Buffer.from(JSON.stringify({ userId: 'after' })), {
      'content-type': 'application/json',
    })
    expect(after.status).toBe(200)
  })

  it('answers compressed data that does not decompress with 400 invalid_encoding', async () => {
    const whole = gzipSync(JSON.stringify({ userId: 'u', traits: { a: 1 } }))
    for (const [encoding, body] of [
      ['gzip', Buffer.from('{"userId":"not compressed"}')],
      ['gzip', whole.subarray(0, whole.length - 8)],
      ['deflate', Buffer.from('plain text')],
    ] as const) {
      const response = await post('/v1/identify', body, { 'content-encoding': encoding })
      expect(response.status).toBe(400)
      expect(response.body.error).toEqual({
        code: 'invalid_encoding',
        message: 'The body does not match its Content-Encoding',
        path: 'content-encoding',
      })
    }
    await t.lookup({ userId: 'u' }).expect(404)
  })

  it('answers an unknown Content-Encoding with 415', async () => {
    const response = await post('/v1/identify', Buffer.from('{"userId":"u"}'), {
      'content-encoding': 'compress',
    })
    expect(response.status).toBe(415)
    expect(response.body.error).toMatchObject({
      code: 'unsupported_media_type',
      path: 'content-encoding',
    })
  })
})

describe('readBody', () => {
  it('stops inflating a 1 GiB zip bomb once the limit is crossed', async () => {
    const bomb = gzipBomb(100)
    const chunks = Array.from({ length: Math.ceil(bomb.length / 16_384) }, (_, index) =>
      bomb.subarray(index * 16_384, (index + 1) * 16_384),
    )
    const gunzip = createGunzip()
    const error = await readDecoded(Readable.from(chunks), gunzip, limits.batchBytes).catch(
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(AppError)
    expect((error as AppError).code).toBe('payload_too_large')
    expect(gunzip.destroyed).toBe(true)
    // Inflating the first 500 KB takes a few hundred bytes of the 1 MB bomb; one read-ahead
    // chunk may be in the inflater, but the rest never reaches it.
    expect(gunzip.bytesWritten).toBeLessThan(bomb.length / 20)
  })

  it('returns the decoded body and how many bytes it took from the request', async () => {
    const text = JSON.stringify({ userId: 'u', traits: { a: 'x'.repeat(1000) } })
    const wire = gzipSync(text)
    const source = Object.assign(Readable.from([wire]), {
      headers: { 'content-encoding': 'gzip' },
    })
    const read = await readBody(source, limits.callBytes)
    expect(read.body.toString('utf8')).toBe(text)
    expect(read.consumed).toBe(wire.length)
  })
})
