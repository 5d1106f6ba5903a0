import { randomBytes } from 'node:crypto'
import pg from 'pg'
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PostgresRateLimitStore } from '../../server/src/http/postgres-rate-limit-store.ts'
import { buildApp } from '../helpers/build-app.ts'

const url = process.env.PARLEY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const table = `parley_rate_limits_test_${randomBytes(4).toString('hex')}`

/** Two pools stand for two container instances on one database. */
const pools: pg.Pool[] = []
let available = false

beforeAll(async () => {
  const probe = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 3_000 })
  try {
    await probe.query('SELECT 1')
    available = true
  } catch (error) {
    if (process.env.CI === 'true')
      throw new Error(`PostgreSQL is required in CI at ${url}`, { cause: error })
    console.warn(`\n*** SKIPPED: PostgreSQL rate-limit tests: no database at ${url} ***\n`)
  } finally {
    await probe.end()
  }
  if (available)
    for (let i = 0; i < 2; i += 1) pools.push(new pg.Pool({ connectionString: url, max: 5 }))
})

afterAll(async () => {
  if (available) await pools[0]?.query(`DROP TABLE IF EXISTS ${table}`)
  await Promise.all(pools.map((pool) => pool.end()))
})

const open = (index: number) => PostgresRateLimitStore.open(pools[index] as pg.Pool, { table })

describe('PostgresRateLimitStore (real PostgreSQL)', () => {
  it('counts per key in a fixed window, starts over when it ends, and prunes old windows', async (ctx) => {
    if (!available) return ctx.skip()
    const store = await open(0)
    expect(await store.hit('k1', 1000, 0)).toEqual({ count: 1, resetAt: 1000 })
    expect(await store.hit('k1', 1000, 999)).toEqual({ count: 2, resetAt: 1000 })
    expect(await store.hit('k2', 1000, 999)).toEqual({ count: 1, resetAt: 1999 })
    expect(await store.hit('k1', 1000, 1000)).toEqual({ count: 1, resetAt: 2000 })
    expect(await store.prune(1999)).toBe(1)
    expect(await store.hit('k2', 1000, 2000)).toEqual({ count: 1, resetAt: 3000 })
  })

  it('counts concurrent hits from two instances exactly once each', async (ctx) => {
    if (!available) return ctx.skip()
    const [a, b] = await Promise.all([open(0), open(1)])
    const hits = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).hit('shared', 60_000, 5)),
    )
    expect(hits.map((hit) => hit.count).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 1),
    )
  })

  it('holds one per-IP limit across two app instances', async (ctx) => {
    if (!available) return ctx.skip()
    const one = buildApp({ PARLEY_RATE_LIMIT_IP_PER_MINUTE: '2' }, { rateLimits: await open(0) })
    const two = buildApp({ PARLEY_RATE_LIMIT_IP_PER_MINUTE: '2' }, { rateLimits: await open(1) })
    try {
      // A fresh address for this run, so earlier runs' counters cannot interfere.
      await pools[0]?.query(`DELETE FROM ${table}`)
      await request(one.app).post('/v1/web/page').send({ anonymousId: 'a' }).expect(200)
      await request(two.app).post('/v1/web/page').send({ anonymousId: 'b' }).expect(200)
      const refused = await request(one.app)
        .post('/v1/web/page')
        .send({ anonymousId: 'c' })
        .expect(429)
      expect(refused.body).toMatchObject({ error: { code: 'rate_limited', path: 'ip' } })
      await request(two.app).post('/v1/web/page').send({ anonymousId: 'd' }).expect(429)
    } finally {
      await one.close()
      await two.close()
    }
  })

  it('refuses a table name that is not a plain identifier', async () => {
    await expect(
      PostgresRateLimitStore.open(
        { query: async () => ({ rows: [], rowCount: 0 }) },
        {
          table: 'x; DROP TABLE y',
        },
      ),
    ).rejects.toThrow(TypeError)
  })
})
