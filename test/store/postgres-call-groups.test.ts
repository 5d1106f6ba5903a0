import pg from 'pg'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { IngestEvent, IngestResult } from '../../server/src/pipeline/ingest-event.ts'
import type { GoalSpec } from '../../server/src/measurement/goal-conversions.ts'
import type { StoreChange } from '../../server/src/store/change-feed.ts'
import { advisoryKey } from '../../server/src/store/postgres/postgres-lock-keys.ts'
import { PostgresStore } from '../../server/src/store/postgres/postgres-store.ts'
import { serverEvent } from '../helpers/ingest-events.ts'
import {
  createTestSchema,
  pipelineTableDumps,
  postgresAvailable,
  type TestSchema,
} from '../helpers/postgres.ts'

/**
 * Group commit on PostgreSQL: pipeline calls that arrive together share one transaction, each
 * planned on the snapshot as the calls before it leave it. What must hold: the same writes as
 * one by one, one call's failure never another's, and the engine's promises (dedup, no stale
 * plan after a concurrent merge, the change feed).
 */

/** A call as the pipeline makes it; ids are deterministic per message, whatever re-plans. */
function call(fields: Partial<IngestEvent> & Pick<IngestEvent, 'type' | 'messageId'>): IngestEvent {
  return serverEvent(fields)
}

/** `Signed Up` is a goal of every experience the profile was shown. */
const signedUp: GoalSpec = {
  name: 'Signed Up',
  experienceIds: ['exp-0', 'exp-1', 'exp-2', 'exp-3', 'exp-9'],
  windowMs: 1_000_000,
  paused: {},
}

function run(store: PostgresStore, event: IngestEvent): Promise<IngestResult> {
  const messageId = event.messageId ?? ''
  return store.runCall({
    event,
    messageId,
    ids: [1, 2, 3].map((n) => `${messageId}/id-${n}`),
    goal: event.type === 'track' && event.event === 'Signed Up' ? signedUp : undefined,
  })
}

/**
 * A burst about a few devices, users and companies: anonymous page views, identifies that create,
 * link and merge profiles, a device taken over by a second user, company traits, group and alias
 * calls, a repeated message id. Deterministic (a fixed linear congruential sequence).
 */
function burst(size: number): IngestEvent[] {
  let seed = 42
  const next = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648
    return seed % n
  }
  // First, a seeded anonymous device with impressions merges into a known user and converts.
  const events: IngestEvent[] = [
    call({ type: 'identify', messageId: 'merge', anonymousId: 'device-3', userId: 'user-0' }),
    call({ type: 'track', messageId: 'convert', anonymousId: 'device-3', event: 'Signed Up' }),
  ]
  for (let i = 0; i < size; i += 1) {
    const device = `device-${next(6)}`
    const user = `user-${next(4)}`
    const company = { id: `company-${next(3)}`, name: `Company ${i}`, employeeCount: i }
    const at = 1_000 + i
    const base = { messageId: `m-${i}`, at, receivedAt: at, anonymousId: device }
    switch (next(7)) {
      case 0:
        events.push(call({ ...base, type: 'page', name: 'Home', page: { path: `/p/${i}` } }))
        break
      case 1:
        events.push(
          call({
            ...base,
            type: 'track',
            event: i % 2 ? 'Signed Up' : 'Clicked',
            properties: { i },
          }),
        )
        break
      case 2:
        events.push(call({ ...base, type: 'identify', traits: { plan: `p${i}`, [`t${i}`]: i } }))
        break
      case 3:
        events.push(call({ ...base, type: 'identify', userId: user, traits: { seen: i }, company }))
        break
      case 4:
        events.push(call({ ...base, type: 'group', userId: user, company }))
        break
      case 5:
        events.push(
          call({ ...base, type: 'identify', userId: user, channel: 'browser', traits: { n: i } }),
        )
        break
      default:
        events.push(
          call({ ...base, type: 'alias', userId: user, previousId: device, anonymousId: device }),
        )
    }
  }
  // A retry of an earlier message, inside the same burst.
  const retried = events[5]
  if (retried !== undefined) events.push({ ...retried, at: 9_999, receivedAt: 9_999 })
  return events
}

/** The same start on every store: profiles of some devices and users, shown experiences. */
async function seed(store: PostgresStore): Promise<void> {
  for (let i = 0; i < 4; i += 1) {
    const anonymousId = `device-${i}`
    const at = 500 + i
    const base = { messageId: `seed-${i}`, anonymousId, at, receivedAt: at }
    const event =
      i % 2 === 0
        ? call({ ...base, type: 'identify', userId: `user-${i}` })
        : call({ ...base, type: 'page', name: 'Home' })
    const { profileId } = await run(store, event)
    await store.transaction(async (tx) => {
      for (const experienceId of ['exp-1', `exp-${i}`]) {
        await tx.recordImpression({ profileId, experienceId, variation: 'a', control: false, at })
      }
    })
  }
}

describe.skipIf(!postgresAvailable('the PostgreSQL group-commit tests'))(
  'PostgreSQL group commit of pipeline calls',
  () => {
    const schemas: TestSchema[] = []
    const stores: PostgresStore[] = []
    const open = async (schema?: TestSchema) => {
      const on = schema ?? (await createTestSchema())
      if (schema === undefined) schemas.push(on)
      const store = await PostgresStore.open({ url: on.url, poolSize: 4 })
      stores.push(store)
      return { store, schema: on }
    }
    beforeEach(() => {
      stores.length = 0
      schemas.length = 0
    })
    afterEach(async () => {
      await Promise.all(stores.map((store) => store.close()))
      await Promise.all(schemas.map((schema) => schema.drop()))
    })

    it('writes exactly what the same calls one by one write, when a burst shares one transaction', async () => {
      const events = burst(60)
      const oneByOne = await open()
      await seed(oneByOne.store)
      const sequentialAnswers: IngestResult[] = []
      for (const event of events) sequentialAnswers.push(await run(oneByOne.store, event))
      const together = await open()
      await seed(together.store)
      const groupedAnswers = await Promise.all(events.map((event) => run(together.store, event)))

      expect(groupedAnswers).toEqual(sequentialAnswers)
      for (const table of Object.values(pipelineTableDumps)) {
        expect(await together.schema.query(table)).toEqual(await oneByOne.schema.query(table))
      }
      // The burst was really grouped: rows of one transaction share its id (xmin).
      const transactions = async (schema: TestSchema) =>
        (
          await schema.query<{ n: number }>(
            "SELECT count(DISTINCT xmin::text)::int AS n FROM messages WHERE key NOT LIKE 'test:seed-%'",
          )
        )[0]?.n
      expect(await transactions(oneByOne.schema)).toBe(events.length - 1)
      expect(await transactions(together.schema)).toBeLessThanOrEqual(2)
      // The mix did reach every identity rule.
      const kinds = await together.schema.query<{ kind: string }>(
        'SELECT DISTINCT kind FROM merge_log ORDER BY kind',
      )
      expect(kinds.map((row) => row.kind)).toEqual([
        'alias_added',
        'detached',
        'identified',
        'merged',
      ])
      expect(groupedAnswers.filter((answer) => answer.duplicate)).toHaveLength(1)
      const converted = await together.schema.query(
        'SELECT DISTINCT experience_id FROM conversions ORDER BY experience_id',
      )
      expect(converted.length).toBeGreaterThan(1)
    })

    it('answers every other call of a group when PostgreSQL refuses one call', async () => {
      const { store, schema } = await open()
      const events = Array.from({ length: 10 }, (_, i) =>
        call({
          type: 'identify',
          messageId: i === 4 ? 'bad\u0000id' : `m-${i}`,
          userId: `user-${i}`,
          anonymousId: `device-${i}`,
        }),
      )
      const answers = await Promise.allSettled(events.map((event) => run(store, event)))
      expect(answers.map((answer) => answer.status)).toEqual(
        events.map((_, i) => (i === 4 ? 'rejected' : 'fulfilled')),
      )
      expect((answers[4] as PromiseRejectedResult).reason).toMatchObject({
        code: 'invalid_field',
        status: 400,
      })
      const users = await schema.query<{ user_id: string }>(
        'SELECT user_id FROM profiles ORDER BY user_id',
      )
      expect(users.map((row) => row.user_id)).toEqual([
        'user-0',
        'user-1',
        'user-2',
        'user-3',
        'user-5',
        'user-6',
        'user-7',
        'user-8',
        'user-9',
      ])
    })

    it('fails only the call whose lock another transaction holds too long, and lands the rest of its group', async () => {
      const { schema } = await open()
      const store = await PostgresStore.open({
        url: schema.url,
        poolSize: 4,
        statementTimeoutMs: 500,
      })
      stores.push(store)
      const holder = new pg.Client({ connectionString: schema.url.replace(/\?.*$/, '') })
      await holder.connect()
      try {
        await holder.query('BEGIN')
        await holder.query('SELECT pg_advisory_xact_lock($1)', [
          advisoryKey(`${schema.name}:anonymous:device-4`),
        ])
        const events = Array.from({ length: 6 }, (_, i) =>
          call({ type: 'page', messageId: `m-${i}`, anonymousId: `device-${i}`, name: 'Home' }),
        )
        const answers = await Promise.allSettled(events.map((event) => run(store, event)))
        expect(answers.map((answer) => answer.status)).toEqual(
          events.map((_, i) => (i === 4 ? 'rejected' : 'fulfilled')),
        )
        expect((answers[4] as PromiseRejectedResult).reason).toMatchObject({
          code: 'store_unavailable',
          status: 503,
        })
      } finally {
        await holder.query('ROLLBACK')
        await holder.end()
      }
      const views = await schema.query<{ message_id: string }>(
        'SELECT message_id FROM events ORDER BY message_id',
      )
      expect(views.map((row) => row.message_id)).toEqual(['m-0', 'm-1', 'm-2', 'm-3', 'm-5'])
    })

    it('gives a message another transaction claimed meanwhile no effect, and lands the rest of its group', async () => {
      const { store, schema } = await open()
      const other = new pg.Client({ connectionString: schema.url.replace(/\?.*$/, '') })
      await other.connect()
      try {
        // Claimed by a transaction still open: the group reads it as unclaimed, plans, and its
        // write waits on that key until the claim commits.
        await other.query(`SET search_path = ${schema.name}`)
        await other.query('BEGIN')
        await other.query("INSERT INTO messages (key, received_at) VALUES ('test:m-2', 1)")
        const events = Array.from({ length: 6 }, (_, i) =>
          call({ type: 'track', messageId: `m-${i}`, anonymousId: `device-${i}`, event: 'E' }),
        )
        const answers = Promise.all(events.map((event) => run(store, event)))
        await new Promise((done) => setTimeout(done, 300))
        await other.query('COMMIT')
        const results = await answers
        expect(results.map((result) => result.duplicate)).toEqual([
          false,
          false,
          true,
          false,
          false,
          false,
        ])
        const events2 = await schema.query<{ message_id: string }>(
          'SELECT message_id FROM events ORDER BY message_id',
        )
        expect(events2.map((row) => row.message_id)).toEqual(['m-0', 'm-1', 'm-3', 'm-4', 'm-5'])
      } finally {
        await other.end()
      }
    })

    it('plans again, on the merged profile, a call whose profile was merged away while it waited for its row', async () => {
      const { store, schema } = await open()
      const anonymous = await run(
        store,
        call({ type: 'page', messageId: 'first-view', anonymousId: 'device-a', name: 'Home' }),
      )
      const known = await run(
        store,
        call({ type: 'identify', messageId: 'known', anonymousId: 'device-b', userId: 'U' }),
      )
      const other = new pg.Client({ connectionString: schema.url.replace(/\?.*$/, '') })
      await other.connect()
      try {
        // Another instance merging device-a's profile into U's holds its row...
        await other.query(`SET search_path = ${schema.name}`)
        await other.query('BEGIN')
        await other.query('SELECT 1 FROM profiles WHERE id = $1 FOR UPDATE', [anonymous.profileId])
        const view = run(
          store,
          call({
            type: 'page',
            messageId: 'second-view',
            anonymousId: 'device-a',
            name: 'Pricing',
          }),
        )
        await new Promise((done) => setTimeout(done, 300))
        // ...and commits the merge while this call's snapshot waits for that row.
        await other.query('UPDATE anonymous_ids SET profile_id = $1 WHERE anonymous_id = $2', [
          known.profileId,
          'device-a',
        ])
        await other.query('DELETE FROM profiles WHERE id = $1', [anonymous.profileId])
        await other.query('COMMIT')
        expect((await view).profileId).toBe(known.profileId)
        const profiles = await schema.query<{ id: string }>('SELECT id FROM profiles')
        expect(profiles).toEqual([{ id: known.profileId }])
      } finally {
        await other.end()
      }
    })

    it('reads again what changed while it waited for a row: a goal counts the impressions a merge just brought', async () => {
      const { store, schema } = await open()
      const known = await run(
        store,
        call({ type: 'identify', messageId: 'known', anonymousId: 'device-b', userId: 'U' }),
      )
      const other = await run(
        store,
        call({ type: 'page', messageId: 'other', anonymousId: 'device-f', name: 'Home' }),
      )
      await store.transaction((tx) =>
        tx.recordImpression({
          profileId: other.profileId,
          experienceId: 'exp-9',
          variation: 'a',
          control: false,
          at: 900,
        }),
      )
      const merging = new pg.Client({ connectionString: schema.url.replace(/\?.*$/, '') })
      await merging.connect()
      try {
        // Another instance, merging into U's profile, holds its row...
        await merging.query(`SET search_path = ${schema.name}`)
        await merging.query('BEGIN')
        await merging.query('SELECT 1 FROM profiles WHERE id = $1 FOR UPDATE', [known.profileId])
        const goal = run(
          store,
          call({ type: 'track', messageId: 'goal', anonymousId: 'device-b', event: 'Signed Up' }),
        )
        await new Promise((done) => setTimeout(done, 300))
        // ...and moves the other profile's impression onto it while the goal waits for the row.
        await merging.query('UPDATE impressions SET profile_id = $1 WHERE profile_id = $2', [
          known.profileId,
          other.profileId,
        ])
        await merging.query('UPDATE profiles SET updated_at = updated_at + 1 WHERE id = $1', [
          known.profileId,
        ])
        await merging.query('COMMIT')
        await goal
        expect(
          await schema.query('SELECT profile_id, experience_id, goal FROM conversions'),
        ).toEqual([{ profile_id: known.profileId, experience_id: 'exp-9', goal: 'Signed Up' }])
      } finally {
        await merging.end()
      }
    })

    it('publishes what a group changed, a merge included, before answering', async () => {
      const { store } = await open()
      const known = await run(
        store,
        call({ type: 'identify', messageId: 'm-1', anonymousId: 'device-b', userId: 'U' }),
      )
      const anonymous = await run(
        store,
        call({ type: 'identify', messageId: 'm-2', anonymousId: 'device-c', traits: { x: 1 } }),
      )
      const heard: string[] = []
      store.onChange((change: StoreChange) => {
        if (change.kind === 'changed') heard.push(...change.keys)
      })
      const heardWhenAnswered: string[][] = []
      const answered = (result: IngestResult) => {
        heardWhenAnswered.push([...heard])
        return result
      }
      const [merged] = await Promise.all([
        run(
          store,
          call({ type: 'identify', messageId: 'm-3', anonymousId: 'device-c', userId: 'U' }),
        ).then(answered),
        run(
          store,
          call({ type: 'track', messageId: 'm-4', anonymousId: 'device-b', event: 'E' }),
        ).then(answered),
      ])
      expect(merged.profileId).toBe(known.profileId)
      const expected = [
        `profile:${anonymous.profileId}`,
        `profile:${known.profileId}`,
        `impressions:${anonymous.profileId}`,
        `impressions:${known.profileId}`,
        'device:device-c',
      ]
      expect([...new Set(heard)].sort()).toEqual(expected.sort())
      for (const seen of heardWhenAnswered) expect(seen).toEqual(expect.arrayContaining(expected))
    })
  },
)
