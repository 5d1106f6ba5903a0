import { connect, type Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, describe, expect, it } from 'vitest'
import {
  startContainer,
  testCredentials,
  type RunningContainer,
} from '../helpers/start-container.ts'

const started: RunningContainer[] = []
afterAll(async () => {
  for (const container of started) await container.stop()
})

/** Opens a raw connection, so the test decides when each byte of a request is sent. */
function open(
  port: number,
): Promise<{ socket: Socket; received: () => string; ended: () => boolean }> {
  return new Promise((done, fail) => {
    let data = ''
    let ended = false
    const socket = connect(port, '127.0.0.1', () =>
      done({ socket, received: () => data, ended: () => ended }),
    )
    socket.on('data', (chunk: Buffer) => (data += chunk.toString()))
    socket.on('close', () => (ended = true))
    socket.on('error', () => undefined)
    socket.once('error', fail)
  })
}

function exitOf(container: RunningContainer): Promise<{ code: number | null; ms: number }> {
  const from = Date.now()
  return new Promise((done) =>
    container.process.once('exit', (code) => done({ code, ms: Date.now() - from })),
  )
}

async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}

/**
 * Sends the headers of an identify whose body is `length` bytes, asking for "100 Continue": once
 * it comes, the server is handling the request, which stays in flight until the body is sent.
 */
async function startRequest(port: number, length: number): ReturnType<typeof open> {
  const auth = Buffer.from(`${testCredentials.writeKey}:`).toString('base64')
  const client = await open(port)
  client.socket.write(
    [
      'POST /v1/identify HTTP/1.1',
      'Host: 127.0.0.1',
      'Connection: keep-alive',
      'Expect: 100-continue',
      'Content-Type: application/json',
      `Authorization: Basic ${auth}`,
      `Content-Length: ${length}`,
      '',
      '',
    ].join('\r\n'),
  )
  await until(() => client.received().includes('100 Continue'), 'the server to read the headers')
  return client
}

describe('SIGTERM (real container process)', () => {
  it('finishes a request in flight, refuses new connections, then exits 0 within 10 s', async () => {
    const container = await startContainer()
    started.push(container)
    const body = JSON.stringify({ userId: 'drained-user', traits: { plan: 'pro' } })
    const half = Math.floor(body.length / 2)
    const client = await startRequest(container.port, body.length)
    client.socket.write(body.slice(0, half))
    // An idle keep-alive connection must not hold the exit up.
    const idle = await open(container.port)

    const exited = exitOf(container)
    container.process.kill('SIGTERM')
    await container.waitForOutput('shutting down', 10_000)
    await expect(open(container.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' })

    client.socket.write(body.slice(half))
    await until(() => client.received().includes('\r\n\r\n{'), 'the drained answer')
    expect(client.received()).toMatch(/\r\n\r\nHTTP\/1\.1 200 OK\r\n/)
    expect(client.received()).toContain('"success":true')
    // Answered with Connection: close, so the keep-alive does not hold the exit up for its timeout.
    expect(client.received()).toMatch(/\r\nConnection: close\r\n/i)

    const { code, ms } = await exited
    expect(code).toBe(0)
    expect(ms).toBeLessThan(10_000)
    await until(() => idle.ended() && client.ended(), 'the server to close both connections')

    // The drained call is durable: a new process on the same file finds it.
    const again = await startContainer({
      PARLEY_DATABASE_URL: `sqlite:${container.dataDir}/parley.db`,
    })
    started.push(again)
    const lookup = await fetch(`${again.url}/v1/admin/profiles/lookup?userId=drained-user`, {
      headers: { Authorization: `Bearer ${testCredentials.adminToken}` },
    })
    expect(lookup.status).toBe(200)
  }, 40_000)

  it('gives up on a client that never finishes its request after the timeout, exiting 1', async () => {
    const container = await startContainer({ PARLEY_SHUTDOWN_TIMEOUT_SECONDS: '1' })
    started.push(container)
    const stuck = await startRequest(container.port, 100)
    stuck.socket.write('{')
    const exited = exitOf(container)
    container.process.kill('SIGTERM')
    const { code } = await exited
    expect(code).toBe(1)
    // 'exit' may come before the last of the output is read from its pipe.
    await container.waitForOutput('in-flight requests did not finish in time')
  }, 40_000)
})
