import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { newProfile } from '../../server/src/profile/profile.ts'
import { PostgresStore } from '../../server/src/store/postgres/postgres-store.ts'
import {
  createTestSchema,
  postgresAvailable,
  recordStatements,
  type TestSchema,
} from '../helpers/postgres.ts'

/**
 * Admin lookups on PostgreSQL (`readNeighbourhood`): those that arrive together share one
 * statement, outside any transaction. What every engine answers is pinned by the store contract;
 * these pin how PostgreSQL is asked.
 */
describe.skipIf(!postgresAvailable('the PostgreSQL lookup-group tests'))(
  'PostgreSQL lookup groups',
  () => {
    let schema: TestSchema
    let store: PostgresStore
    let recording: ReturnType<typeof recordStatements> | undefined
    const lookups = () =>
      (recording?.statements ?? []).filter((text) => text.includes('parley_profile_neighbourhood'))

    beforeEach(async () => {
      schema = await createTestSchema()
      store = await PostgresStore.open({ url: schema.url, poolSize: 4 })
      await store.transaction(async (tx) => {
        for (let n = 0; n < 10; n += 1) {
          await tx.putProfile(newProfile(`p${n}`, `user-${n}`, 1))
          await tx.linkAnonymousId(`device-${n}`, `p${n}`, 1)
        }
      })
      recording = recordStatements()
    })
    afterEach(async () => {
      recording?.stop()
      await store.close()
      await schema.drop()
    })

    it('answers lookups that arrive together with one statement, without BEGIN or COMMIT', async () => {
      const found = await Promise.all(
        Array.from({ length: 10 }, (_, n) =>
          store.readNeighbourhood(
            n % 2 === 0
              ? { kind: 'userId', value: `user-${n}` }
              : { kind: 'anonymousId', value: `device-${n}` },
          ),
        ),
      )
      expect(found.map((entry) => entry?.profile.id)).toEqual(
        Array.from({ length: 10 }, (_, n) => `p${n}`),
      )
      expect(lookups()).toHaveLength(1)
      expect(recording?.statements).toEqual(lookups())
    })

    it('puts at most 64 lookups in one statement', async () => {
      const found = await Promise.all(
        Array.from({ length: 100 }, (_, n) =>
          store.readNeighbourhood({ kind: 'userId', value: `user-${n % 12}` }),
        ),
      )
      expect(found.map((entry) => entry?.profile.id)).toEqual(
        Array.from({ length: 100 }, (_, n) => (n % 12 < 10 ? `p${n % 12}` : undefined)),
      )
      expect(lookups()).toHaveLength(2)
    })

    it('fails only the lookup whose row cannot be decoded, and answers the rest of its group', async () => {
      // A document no version of the engine wrote (as a hand edit might leave it).
      await schema.query("UPDATE profiles SET doc = 'not a document' WHERE id = 'p3'")
      const settled = await Promise.allSettled(
        [1, 2, 3, 4].map((n) => store.readNeighbourhood({ kind: 'userId', value: `user-${n}` })),
      )
      expect(lookups()).toHaveLength(1)
      expect(settled.map((result) => result.status)).toEqual([
        'fulfilled',
        'fulfilled',
        'rejected',
        'fulfilled',
      ])
      expect(
        settled.map((result) =>
          result.status === 'fulfilled' ? result.value?.profile.id : undefined,
        ),
      ).toEqual(['p1', 'p2', undefined, 'p4'])
    })

    it('reads one snapshot per group: the neighbourhood function is STABLE', async () => {
      // A STABLE function's queries run on the snapshot of the statement that calls it; were it
      // VOLATILE, each lookup of a group (and each of its reads) could see a later commit.
      const [row] = await schema.query<{ provolatile: string }>(
        "SELECT provolatile FROM pg_proc WHERE proname = 'parley_profile_neighbourhood' AND pronamespace = $1::regnamespace",
        [schema.name],
      )
      expect(row?.provolatile).toBe('s')
    })
  },
)
