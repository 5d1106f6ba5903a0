import request from 'supertest'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  openRateLimitStore,
  type OpenedRateLimits,
} from '../../server/src/http/open-rate-limit-store.ts'
import { PostgresRateLimitStore } from '../../server/src/store/postgres/postgres-rate-limit-store.ts'
import { PostgresStore } from '../../server/src/store/postgres/postgres-store.ts'
import { buildApp } from '../helpers/build-app.ts'
import { createTestSchema, postgresAvailable, type TestSchema } from '../helpers/postgres.ts'

describe.skipIf(!postgresAvailable('the PostgreSQL rate-limit tests'))(
  'PostgresRateLimitStore (real PostgreSQL)',
  () => {
    let schema: TestSchema
    /** Each opened store stands for one container instance on the schema. */
    const opened: OpenedRateLimits[] = []
    const open = async (): Promise<PostgresRateLimitStore> => {
      const limits = await openRateLimitStore(schema.url)
      opened.push(limits)
      // On a postgres:// URL the counters live in the database, never in this process.
      if (!(limits.store instanceof PostgresRateLimitStore)) throw new Error('not in PostgreSQL')
      return limits.store
    }

    beforeEach(async () => {
      schema = await createTestSchema()
    })
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((limits) => limits.close()))
      await schema.drop()
    })

    it('counts per key in a fixed window, starts over when it ends, and prunes old windows', async () => {
      const store = await open()
      expect(await store.hit('k1', 1000, 0)).toEqual({ count: 1, resetAt: 1000 })
      expect(await store.hit('k1', 1000, 999)).toEqual({ count: 2, resetAt: 1000 })
      expect(await store.hit('k2', 1000, 999)).toEqual({ count: 1, resetAt: 1999 })
      expect(await store.hit('k1', 1000, 1000)).toEqual({ count: 1, resetAt: 2000 })
      expect(await store.prune(1999)).toBe(1)
      expect(await store.hit('k2', 1000, 2000)).toEqual({ count: 1, resetAt: 3000 })
    })

    it('counts concurrent hits from two instances exactly once each', async () => {
      const [a, b] = await Promise.all([open(), open()])
      const hits = await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).hit('shared', 60_000, 5)),
      )
      expect(hits.map((hit) => hit.count).sort((x, y) => x - y)).toEqual(
        Array.from({ length: 40 }, (_, i) => i + 1),
      )
    })

    it('starts two instances (profile store and counters) on one fresh schema at the same moment', async () => {
      // Once failed with `type "parley_rate_limits" already exists` (42710): the counter table
      // was created outside the migrations' lock.
      const [first, second] = await Promise.all([
        PostgresStore.open({ url: schema.url, poolSize: 1 }),
        PostgresStore.open({ url: schema.url, poolSize: 1 }),
        open(),
        open(),
      ])
      try {
        const tables = await schema.query<{ name: string; persistence: string }>(
          `SELECT c.relname AS name, c.relpersistence AS persistence FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = $1 AND c.relname = 'parley_rate_limits'`,
          [schema.name],
        )
        expect(tables).toEqual([{ name: 'parley_rate_limits', persistence: 'u' }])
      } finally {
        await first.close()
        await second.close()
      }
    })

    it('holds one per-IP limit across two app instances', async () => {
      const env = { PARLEY_RATE_LIMIT_IP_PER_MINUTE: '2' }
      const one = buildApp(env, { rateLimits: await open() })
      const two = buildApp(env, { rateLimits: await open() })
      try {
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
  },
)
