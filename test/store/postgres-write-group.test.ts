import { afterEach, describe, expect, it } from 'vitest'
import { newProfile, type Account, type MergeLogEntry } from '../../server/src/profile/profile.ts'
import type { WriteOp } from '../../server/src/store/call-batch.ts'
import { PostgresStore } from '../../server/src/store/postgres/postgres-store.ts'
import { encodeGroupWrites } from '../../server/src/store/postgres/postgres-write-batch.ts'
import {
  createTestSchema,
  pipelineTableDumps,
  postgresAvailable,
  type TestSchema,
} from '../helpers/postgres.ts'

/**
 * `parley_write_group` (migration 7) against `parley_write_calls` (migration 6), which runs the
 * same writes one statement after another: on two fresh schemas, the same calls must leave the
 * same tables (identity `seq` values included), the same `moved` answer and the same errors.
 */

/** The writes' kinds in migration 6's format, by the table a `rows` step names. */
const kindOfTable: Record<string, string> = {
  claims: 'claim',
  profiles: 'profile',
  links: 'link',
  accounts: 'account',
  keys: 'key',
  logs: 'log',
  events: 'event',
  conversions: 'conversion',
}

/** One call's writes in `parley_write_calls`'s format, each write encoded on its own. */
function oneByOne(writes: readonly WriteOp[]): unknown[][] {
  return writes.map((write) => {
    const [step] = encodeGroupWrites([[write]])
    if (step?.[0] !== 'rows') return step ?? []
    const [table, rows] = Object.entries(step[1] as Record<string, unknown[][]>)[0] ?? []
    return [kindOfTable[table ?? ''], ...(rows?.[0] ?? [])]
  })
}

const account = (id: string, at: number): Account => ({
  id,
  traits: { plan: { value: `plan-${at}`, at } } as unknown as Account['traits'],
  createdAt: 1,
  updatedAt: at,
})
const log = (into: string, at: number, from: string | null = null): MergeLogEntry => ({
  at,
  kind: from === null ? 'identified' : 'merged',
  fromProfileId: from,
  intoProfileId: into,
  anonymousId: null,
  userId: null,
  reason: 'test',
  messageId: null,
})
const profile = (id: string, userId: string | null, at: number, accountId?: string) => ({
  ...newProfile(id, userId, at),
  ...(accountId === undefined
    ? {}
    : { account: { id: accountId, source: 'company' as const, at } }),
})

/** Calls that touch every table, repeat keys across calls and hand a user id over. */
const calls: WriteOp[][] = [
  [
    { op: 'claimMessage', key: 'm1', receivedAt: 1 },
    { op: 'putProfile', profile: profile('p1', 'U', 1, 'a1') },
    { op: 'putAccount', account: account('a1', 1) },
    { op: 'linkAccountKey', key: 'domain:a.test', accountId: 'a1' },
    { op: 'linkAnonymousId', anonymousId: 'd1', profileId: 'p1', at: 1 },
    { op: 'linkAnonymousId', anonymousId: 'd2', profileId: 'p1', at: 1 },
    { op: 'appendMergeLog', entry: log('p1', 1) },
    {
      op: 'appendEvent',
      event: {
        profileId: 'p1',
        type: 'track',
        name: 'Clicked',
        at: 1,
        receivedAt: 1,
        messageId: 'm1',
        properties: { a: null },
      },
    },
    {
      op: 'recordConversion',
      conversion: { profileId: 'p1', experienceId: 'e1', goal: 'g', at: 1 },
    },
  ],
  [
    { op: 'claimMessage', key: 'm2', receivedAt: 2 },
    // The user id moves from p1 to p2 inside one step: p1 lets go of it first.
    { op: 'putProfile', profile: profile('p1', null, 2) },
    { op: 'putProfile', profile: profile('p2', 'U', 2, 'a1') },
    { op: 'putAccount', account: account('a1', 2) },
    { op: 'linkAnonymousId', anonymousId: 'd1', profileId: 'p2', at: 2 },
    { op: 'linkAnonymousId', anonymousId: 'd3', profileId: 'p2', at: 2 },
    {
      op: 'recordConversion',
      conversion: { profileId: 'p2', experienceId: 'e1', goal: 'g', at: 2 },
    },
    {
      op: 'recordConversion',
      conversion: { profileId: 'p2', experienceId: 'e1', goal: 'g', at: 3 },
    },
  ],
  [
    { op: 'claimMessage', key: 'm3', receivedAt: 3 },
    { op: 'moveProfileData', fromProfileId: 'p1', toProfileId: 'p2' },
    { op: 'deleteProfile', id: 'p1' },
    { op: 'appendMergeLog', entry: log('p2', 3, 'p1') },
    { op: 'unlinkAnonymousId', anonymousId: 'd3' },
    { op: 'linkAnonymousId', anonymousId: 'd3', profileId: 'p2', at: 3 },
    { op: 'linkAccountKey', key: 'domain:a.test', accountId: 'a2' },
    { op: 'putAccount', account: account('a2', 3) },
    { op: 'putProfile', profile: profile('p2', 'U', 3, 'a2') },
  ],
]

describe.skipIf(!postgresAvailable('the PostgreSQL group writer tests'))(
  'parley_write_group',
  () => {
    const schemas: TestSchema[] = []
    const migrated = async () => {
      const schema = await createTestSchema()
      schemas.push(schema)
      await (await PostgresStore.open({ url: schema.url, poolSize: 1 })).close()
      return schema
    }
    const sequential = (schema: TestSchema, writes: WriteOp[][]) =>
      schema.query<{ outcome: unknown }>('SELECT parley_write_calls($1::jsonb) AS outcome', [
        JSON.stringify(writes.map(oneByOne)),
      ])
    const grouped = (schema: TestSchema, writes: WriteOp[][]) =>
      schema.query<{ outcome: unknown }>('SELECT parley_write_group($1::jsonb) AS outcome', [
        JSON.stringify(encodeGroupWrites(writes)),
      ])
    afterEach(async () => {
      await Promise.all(schemas.splice(0).map((schema) => schema.drop()))
    })

    it('leaves every table as the same writes one statement after another leave it', async () => {
      const [one, group] = await Promise.all([migrated(), migrated()])
      // Steps split on repeated keys, and merges, deletes and unlinks run on their own.
      expect(encodeGroupWrites(calls).length).toBeGreaterThan(5)
      const [expected] = await sequential(one, calls)
      const [actual] = await grouped(group, calls)
      expect(actual?.outcome).toEqual(expected?.outcome)
      expect(actual?.outcome).toEqual({ moved: { p1: ['d2'] } })
      for (const [name, table] of Object.entries(pipelineTableDumps)) {
        const rows = await one.query(table)
        // These calls show no experience; every other table holds rows to compare.
        if (name !== 'impressions') expect(rows.length, name).toBeGreaterThan(0)
        expect(await group.query(table), name).toEqual(rows)
      }
    })

    it('fails where the writes one after another fail, and writes nothing', async () => {
      const [one, group] = await Promise.all([migrated(), migrated()])
      // The user id given to p2 while p1 still holds it: the unique index refuses it.
      const taken: WriteOp[][] = [
        [{ op: 'putProfile', profile: profile('p1', 'U', 1) }],
        [
          { op: 'claimMessage', key: 'm9', receivedAt: 9 },
          { op: 'putProfile', profile: profile('p2', 'U', 2) },
          { op: 'putProfile', profile: profile('p1', null, 2) },
        ],
      ]
      await expect(sequential(one, taken)).rejects.toMatchObject({ code: '23505' })
      await expect(grouped(group, taken)).rejects.toMatchObject({ code: '23505' })
      expect(await group.query('SELECT id FROM profiles')).toEqual([])
      expect(await group.query('SELECT key FROM messages')).toEqual([])
    })

    it('raises a serialization failure for a message key another call claimed', async () => {
      const group = await migrated()
      await group.query("INSERT INTO messages (key, received_at) VALUES ('m2', 1)")
      const claims: WriteOp[][] = [
        [{ op: 'claimMessage', key: 'm1', receivedAt: 1 }],
        [{ op: 'claimMessage', key: 'm2', receivedAt: 2 }],
      ]
      await expect(grouped(group, claims)).rejects.toMatchObject({ code: '40001' })
      expect(await group.query('SELECT key FROM messages')).toEqual([{ key: 'm2' }])
    })

    it('keeps the group read on index scans (migration 8)', async () => {
      const schema = await migrated()
      const [read] = await schema.query<{ proconfig: string[] }>(
        `SELECT proconfig FROM pg_proc
         WHERE proname = 'parley_read_calls' AND pronamespace = $1::regnamespace`,
        [schema.name],
      )
      expect(read?.proconfig).toContain('enable_bitmapscan=off')
    })
  },
)
