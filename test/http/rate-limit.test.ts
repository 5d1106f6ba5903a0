import request from 'supertest'
import { afterEach, describe, expect, it } from 'vitest'
import { MemoryRateLimitStore } from '../../server/src/http/rate-limit-store.ts'
import { clientBucket } from '../../server/src/http/rate-limit.ts'
import { auth, buildApp, type BuiltApp } from '../helpers/build-app.ts'

describe('clientBucket', () => {
  it('keeps IPv4, unwraps IPv4-mapped IPv6 and groups IPv6 by /64', () => {
    expect(clientBucket('203.0.113.9')).toBe('203.0.113.9')
    expect(clientBucket('::ffff:203.0.113.9')).toBe('203.0.113.9')
    expect(clientBucket('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64')
    expect(clientBucket('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64')
    expect(clientBucket('2001:db8::1')).toBe('2001:db8:0:0::/64')
    expect(clientBucket('::1')).toBe('0:0:0:0::/64')
    expect(clientBucket(undefined)).toBeUndefined()
  })
})

describe('MemoryRateLimitStore', () => {
  it('counts per key in a fixed window and starts over when it ends', async () => {
    const store = new MemoryRateLimitStore()
    expect(await store.hit('a', 1000, 0)).toEqual({ count: 1, resetAt: 1000 })
    expect(await store.hit('a', 1000, 500)).toEqual({ count: 2, resetAt: 1000 })
    expect(await store.hit('b', 1000, 500)).toEqual({ count: 1, resetAt: 1500 })
    expect(await store.hit('a', 1000, 1000)).toEqual({ count: 1, resetAt: 2000 })
  })

  it('stays bounded: past maxKeys the least recent key is forgotten', async () => {
    const store = new MemoryRateLimitStore({ maxKeys: 2 })
    await store.hit('a', 1000, 0)
    await store.hit('a', 1000, 0)
    await store.hit('b', 1000, 0)
    await store.hit('c', 1000, 0)
    expect((await store.hit('a', 1000, 0)).count).toBe(1)
  })
})

describe('browser endpoints: rate limits', () => {
  let built: BuiltApp
  let now = 1_000_000
  afterEach(async () => {
    await built.close()
  })
  const page = (anonymousId: string, forwardedFor?: string) => {
    const req = request(built.app).post('/v1/web/page')
    if (forwardedFor !== undefined) req.set('X-Forwarded-For', forwardedFor)
    return req.send({ anonymousId })
  }

  it('answers 429 rate_limited with Retry-After past the per-IP limit, until the window ends', async () => {
    built = buildApp({ PARLEY_RATE_LIMIT_IP_PER_MINUTE: '3' }, { clock: () => now })
    for (let i = 0; i < 3; i += 1) await page(`d${i}`).expect(200)
    now += 20_000
    const res = await page('d3').expect(429)
    expect(res.headers['retry-after']).toBe('40')
    expect(res.body).toEqual({
      error: {
        code: 'rate_limited',
        message: 'Too many calls for this ip: at most 3 per 60 s',
        path: 'ip',
      },
    })
    expect(await built.metrics.rateLimited.get()).toMatchObject({
      values: [{ labels: { rule: 'ip' }, value: 1 }],
    })
    now += 40_000
    await page('d4').expect(200)
  })

  it('does not let a forged X-Forwarded-For change the bucket behind one trusted proxy', async () => {
    built = buildApp({ PARLEY_RATE_LIMIT_IP_PER_MINUTE: '2', PARLEY_TRUST_PROXY: '1' })
    // The proxy appends the real client (198.51.100.7); everything before it is the client's own.
    await page('a', '10.0.0.1, 198.51.100.7').expect(200)
    await page('b', '10.0.0.2, 198.51.100.7').expect(200)
    await page('c', '203.0.113.99, 198.51.100.7').expect(429)
    // Another real client behind the same proxy has its own bucket.
    await page('d', '10.0.0.1, 198.51.100.8').expect(200)
  })

  it('ignores X-Forwarded-For entirely when no proxy is trusted', async () => {
    built = buildApp({ PARLEY_RATE_LIMIT_IP_PER_MINUTE: '2', PARLEY_TRUST_PROXY: '0' })
    await page('a', '198.51.100.1').expect(200)
    await page('b', '198.51.100.2').expect(200)
    await page('c', '198.51.100.3').expect(429)
  })

  it('limits one anonymous id, from the body or the signed cookie, without touching others', async () => {
    built = buildApp({ PARLEY_RATE_LIMIT_VISITOR_PER_MINUTE: '2' })
    const first = await page('busy').expect(200)
    const cookie = first.headers['set-cookie'] as unknown as string[]
    await page('busy').expect(200)
    const res = await page('busy').expect(429)
    expect(res.body).toMatchObject({ error: { code: 'rate_limited', path: 'anonymousId' } })
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0)
    // The same device known only by its cookie is the same bucket.
    await request(built.app)
      .post('/v1/web/track')
      .set('Cookie', cookie)
      .send({ event: 'E' })
      .expect(429)
    await page('quiet').expect(200)
  })

  it('shares counters through the injected store, as a cluster-wide store would', async () => {
    const shared = new MemoryRateLimitStore()
    const one = buildApp({ PARLEY_RATE_LIMIT_IP_PER_MINUTE: '2' }, { rateLimits: shared })
    built = buildApp({ PARLEY_RATE_LIMIT_IP_PER_MINUTE: '2' }, { rateLimits: shared })
    try {
      await request(one.app).post('/v1/web/page').send({ anonymousId: 'x' }).expect(200)
      await page('y').expect(200)
      await request(one.app).post('/v1/web/page').send({ anonymousId: 'z' }).expect(429)
    } finally {
      await one.close()
    }
  })

  it('does not limit the write-key API or admin calls', async () => {
    built = buildApp({ PARLEY_RATE_LIMIT_IP_PER_MINUTE: '1' })
    for (let i = 0; i < 3; i += 1) {
      await request(built.app)
        .post('/v1/track')
        .set('Authorization', auth.write)
        .send({ anonymousId: 'server', event: 'E' })
        .expect(200)
    }
  })

  it('sends Strict-Transport-Security only on HTTPS, as seen through the trusted proxy', async () => {
    built = buildApp({ PARLEY_TRUST_PROXY: '1' })
    const https = await request(built.app).get('/healthz').set('X-Forwarded-Proto', 'https')
    expect(https.headers['strict-transport-security']).toBe('max-age=31536000')
    const http = await request(built.app).get('/healthz')
    expect(http.headers['strict-transport-security']).toBeUndefined()
  })
})
