import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openRateLimitStore } from '../../server/src/http/open-rate-limit-store.ts'
import { MemoryRateLimitStore } from '../../server/src/http/rate-limit-store.ts'
import { createTestSchema, postgresAvailable, type TestSchema } from '../helpers/postgres.ts'

describe('openRateLimitStore', () => {
  it('counts in memory on SQLite', async () => {
    const opened = await openRateLimitStore('sqlite:./data/parley.db')
    expect(opened.store).toBeInstanceOf(MemoryRateLimitStore)
    await opened.close()
  })
})

describe.runIf(postgresAvailable('openRateLimitStore on PostgreSQL'))(
  'openRateLimitStore on PostgreSQL',
  () => {
    let schema: TestSchema
    beforeAll(async () => {
      schema = await createTestSchema()
    })
    afterAll(() => schema.drop())

    it('deletes windows that ended on its own, and keeps running ones', async () => {
      const opened = await openRateLimitStore(schema.url, { pruneEveryMs: 50 })
      try {
        await opened.store.hit('ip:ended', 1_000, 0)
        await opened.store.hit('ip:running', 60_000, Date.now())
        const keys = async () =>
          (await schema.query<{ key: string }>('SELECT key FROM parley_rate_limits')).map(
            (row) => row.key,
          )
        const deadline = Date.now() + 5_000
        while ((await keys()).includes('ip:ended') && Date.now() < deadline) {
          await new Promise((done) => setTimeout(done, 25))
        }
        expect(await keys()).toEqual(['ip:running'])
      } finally {
        await opened.close()
      }
    })
  },
)
