import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { connect } from 'node:net'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import request from 'supertest'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { auth, buildApp, type BuiltApp } from '../helpers/build-app.ts'

let built: BuiltApp
afterEach(async () => {
  await built.close()
})

/** An app whose logs (every level) land in a string the test can read. */
function appWithCapturedLogs(): { logs: () => string } {
  let captured = ''
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      captured += chunk.toString()
      done()
    },
  })
  built = buildApp({}, { logger: pino({ level: 'debug' }, sink) })
  return { logs: () => captured }
}

describe('request logs', () => {
  it('gives every answer a request id, keeping a plain one the caller sent', async () => {
    const { logs } = appWithCapturedLogs()
    const mine = await request(built.app).get('/healthz').set('X-Request-Id', 'trace-abc.1')
    expect(mine.headers['x-request-id']).toBe('trace-abc.1')
    const odd = await request(built.app).get('/healthz').set('X-Request-Id', '<script>')
    expect(odd.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
    const lines = logs()
      .trim()
      .split('\n')
      .map((row) => JSON.parse(row) as Record<string, unknown>)
    expect(lines[0]).toMatchObject({ requestId: 'trace-abc.1', route: '/healthz', status: 200 })
    expect(lines[1]).toMatchObject({ requestId: odd.headers['x-request-id'] })
  })

  it('never writes emails, trait values, ids from the URL or credentials', async () => {
    const { logs } = appWithCapturedLogs()
    await request(built.app)
      .post('/v1/identify')
      .set('Authorization', auth.write)
      .send({
        userId: 'user-in-body',
        traits: { email: 'private.person@example.com', secretTrait: 'trait-value-xyz' },
      })
      .expect(200)
    await request(built.app)
      .post('/v1/web/identify')
      .send({ userId: 'u', traits: { email: 'not an email', name: 'Name Value' } })
      .expect(200)
    await request(built.app)
      .get('/v1/admin/profiles/lookup?userId=user-in-query')
      .set('Authorization', auth.admin)
      .expect(404)
    // A failing store: the 5xx is logged with its error, still without the call's data.
    await built.store.close()
    await request(built.app)
      .post('/v1/identify')
      .set('Authorization', auth.write)
      .send({ userId: 'u2', traits: { email: 'other.person@example.com' } })
      .expect(503)
    const text = logs()
    expect(text).toContain('"status":503')
    for (const secret of [
      'private.person',
      'other.person',
      'trait-value-xyz',
      'Name Value',
      'user-in-query',
      'user-in-body',
      'test-admin-token',
    ]) {
      expect(text, secret).not.toContain(secret)
    }
  })

  it('logs and counts a call the client abandoned before its answer as 499', async () => {
    const { logs } = appWithCapturedLogs()
    const server = built.app.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const { port } = server.address() as AddressInfo
    const socket = connect(port, '127.0.0.1')
    await once(socket, 'connect')
    // Half a body, then the client goes away.
    socket.write(
      'POST /v1/identify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        `Authorization: ${auth.write}\r\nContent-Length: 100\r\n\r\n{"userId":`,
    )
    await new Promise((resolve) => setTimeout(resolve, 50))
    socket.destroy()
    await vi.waitFor(() => expect(logs()).toContain('"status":499'))
    server.close()
    const metrics = await request(built.app).get('/metrics').set('Authorization', auth.admin)
    expect(metrics.text).toMatch(
      /parley_http_requests_total\{method="POST",route="[^"]*",status="499"\} 1/,
    )
  })
})
