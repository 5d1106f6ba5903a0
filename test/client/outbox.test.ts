import { describe, expect, it } from 'vitest'
import { createOutbox, type CallType, type Message, type Reply } from '../../client/src/outbox.ts'
import { maxAttempts } from '../../client/src/retry-policy.ts'

/** An outbox whose network, timers and consent the test drives by hand. */
function harness(options: { limit?: number; consent?: boolean } = {}) {
  const posts: {
    type: CallType
    body: Record<string, unknown>
    answer: (r: Reply) => void
    fail: () => void
  }[] = []
  const beacons: { type: CallType; body: Record<string, unknown> }[] = []
  const timers: { run: () => void; ms: number }[] = []
  const replies: unknown[] = []
  const logs: string[] = []
  let consent = options.consent ?? true
  const outbox = createOutbox(
    {
      post: (type, body) =>
        new Promise<Reply>((answer, fail) =>
          posts.push({
            type,
            body: JSON.parse(body) as Record<string, unknown>,
            answer,
            fail: () => fail(new Error('offline')),
          }),
        ),
      beacon: (type, body) =>
        beacons.push({ type, body: JSON.parse(body) as Record<string, unknown> }),
      later: (run, ms) => timers.push({ run, ms }),
      random: () => 0.5,
      canSend: () => consent,
      stamp: (body) => {
        body.anonymousId ??= 'anon-1'
      },
      onReply: (json) => replies.push(json),
      onSettled: () => undefined,
      log: (message) => logs.push(message),
    },
    options.limit,
  )
  const settle = () => new Promise((done) => setTimeout(done, 0))
  const ok = (json: unknown = {}): Reply => ({ status: 200, retryAfter: null, json })
  const status = (code: number, retryAfter: string | null = null): Reply => ({
    status: code,
    retryAfter,
    json: null,
  })
  return {
    outbox,
    posts,
    beacons,
    timers,
    replies,
    logs,
    settle,
    ok,
    status,
    grant: () => (consent = true),
  }
}

function message(type: CallType, n: number, settle?: Message['settle']): Message {
  return { type, body: { n }, ...(settle ? { settle } : {}) }
}

describe('client outbox', () => {
  it('sends one call at a time, in the order they were made', async () => {
    const h = harness()
    h.outbox.add(message('page', 1))
    h.outbox.add(message('identify', 2))
    h.outbox.add(message('track', 3))
    expect(h.posts.map((p) => p.body.n)).toEqual([1])
    h.posts[0]?.answer(h.ok())
    await h.settle()
    h.posts[1]?.answer(h.ok())
    await h.settle()
    expect(h.posts.map((p) => [p.type, p.body.n])).toEqual([
      ['page', 1],
      ['identify', 2],
      ['track', 3],
    ])
  })

  it('retries a 5xx, a 429 and a network error with growing delays, then succeeds', async () => {
    const h = harness()
    let resolved: unknown
    h.outbox.add(
      message('identify', 1, { resolve: (json) => (resolved = json), reject: () => undefined }),
    )
    h.posts[0]?.answer(h.status(500))
    await h.settle()
    h.timers[0]?.run()
    h.posts[1]?.fail()
    await h.settle()
    h.timers[1]?.run()
    h.posts[2]?.answer(h.status(429, '2'))
    await h.settle()
    h.timers[2]?.run()
    h.posts[3]?.answer(h.ok({ anonymousId: 'anon-1' }))
    await h.settle()
    expect(h.timers.map((t) => t.ms)).toEqual([500, 1000, 2000])
    expect(h.posts).toHaveLength(4)
    expect(new Set(h.posts.map((p) => JSON.stringify(p.body))).size).toBe(1)
    expect(resolved).toEqual({ anonymousId: 'anon-1' })
  })

  it('drops a 4xx at once, rejects its promise, logs it and moves on', async () => {
    const h = harness()
    let rejected: Error | undefined
    h.outbox.add(
      message('identify', 1, { resolve: () => undefined, reject: (e) => (rejected = e) }),
    )
    h.outbox.add(message('page', 2))
    h.posts[0]?.answer({
      status: 400,
      retryAfter: null,
      json: { error: { code: 'invalid_field', message: 'traits: expected an object' } },
    })
    await h.settle()
    expect(rejected?.message).toContain('HTTP 400: traits: expected an object')
    expect(h.logs[0]).toContain('identify dropped')
    expect(h.timers).toHaveLength(0)
    expect(h.posts.map((p) => p.body.n)).toEqual([1, 2])
  })

  it(`gives up after ${maxAttempts} attempts`, async () => {
    const h = harness()
    let rejected: Error | undefined
    h.outbox.add(
      message('identify', 1, { resolve: () => undefined, reject: (e) => (rejected = e) }),
    )
    for (let i = 0; i < maxAttempts; i++) {
      h.posts[i]?.answer(h.status(503))
      await h.settle()
      h.timers[i]?.run()
    }
    expect(h.posts).toHaveLength(maxAttempts)
    expect(rejected?.message).toContain('HTTP 503')
    expect(h.outbox.size()).toBe(0)
  })

  it('drops the oldest waiting call when full, never the one on the wire', async () => {
    const h = harness({ limit: 3 })
    for (const n of [1, 2, 3, 4]) h.outbox.add(message('track', n))
    expect(h.outbox.size()).toBe(3)
    expect(h.logs).toEqual(['track dropped: the queue holds 3 calls'])
    for (let i = 0; i < 3; i++) {
      h.posts[i]?.answer(h.ok())
      await h.settle()
    }
    expect(h.posts.map((p) => p.body.n)).toEqual([1, 3, 4])
  })

  it('sends nothing without consent and everything, in order, once granted', async () => {
    const h = harness({ consent: false })
    h.outbox.add(message('page', 1))
    h.outbox.add(message('identify', 2))
    h.outbox.flushByBeacon()
    expect(h.posts).toHaveLength(0)
    expect(h.beacons).toHaveLength(0)
    h.grant()
    h.outbox.pump()
    h.posts[0]?.answer(h.ok())
    await h.settle()
    expect(h.posts.map((p) => p.body.n)).toEqual([1, 2])
  })

  it('hands the waiting calls to sendBeacon when the page goes away, not the one on the wire', () => {
    const h = harness()
    for (const n of [1, 2, 3]) h.outbox.add(message('track', n))
    h.outbox.flushByBeacon()
    expect(h.beacons.map((b) => [b.body.n, b.body.anonymousId])).toEqual([
      [2, 'anon-1'],
      [3, 'anon-1'],
    ])
    expect(h.outbox.size()).toBe(1)
  })

  it('keeps the previous anonymous id on calls made before a reset', () => {
    const h = harness()
    for (const n of [1, 2]) h.outbox.add(message('track', n))
    h.outbox.stampWaiting('before-reset')
    h.outbox.flushByBeacon()
    expect(h.beacons[0]?.body.anonymousId).toBe('before-reset')
  })
})
