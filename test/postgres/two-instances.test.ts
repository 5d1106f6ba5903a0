import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { StoreChange } from '../../server/src/store/change-feed.ts'
import { PostgresStore } from '../../server/src/store/postgres/postgres-store.ts'
import { get, post, type CallResult } from '../helpers/container-calls.ts'
import { createTestSchema, postgresAvailable, type TestSchema } from '../helpers/postgres.ts'
import { startContainers, type RunningContainer } from '../helpers/start-container.ts'

/**
 * Two real container processes behind no load balancer but the test, on one PostgreSQL schema:
 * every promise of the single-node store must hold across instances.
 */
describe.skipIf(!postgresAvailable('the two-instance PostgreSQL tests'))(
  'Two container instances on one PostgreSQL',
  () => {
    let schema: TestSchema
    let instances: RunningContainer[] = []
    const instance = (index: number) => {
      const running = instances[index % instances.length]
      if (running === undefined) throw new Error('no instance')
      return running
    }

    beforeAll(async () => {
      schema = await createTestSchema()
      // Both start at once on an empty schema: the migration lock makes one of them migrate.
      instances = await startContainers(2, {
        PARLEY_DATABASE_URL: schema.url,
        PARLEY_PG_POOL_SIZE: '8',
        // The thousand-call test queues calls behind one account lock on a machine that is
        // also running the rest of the suite; these are waits of a busy database.
        PARLEY_PG_CONNECT_TIMEOUT_MS: '20000',
      })
    })
    afterAll(async () => {
      await Promise.all(instances.map((running) => running.stop()))
      await schema.drop()
    })

    const profilesOf = async (userId: string) =>
      schema.query<{ id: string }>('SELECT id FROM profiles WHERE user_id = $1', [userId])

    it('makes one profile when a user signs in on two devices at the same moment on two instances', async () => {
      const users = Array.from({ length: 24 }, (_, index) => ({
        userId: `two-devices-${index}-${randomUUID()}`,
        devices: [randomUUID(), randomUUID()],
        // Half the devices browsed anonymously first, so the sign-in merges two profiles.
        browsedFirst: index % 2 === 0,
      }))
      for (const user of users.filter((u) => u.browsedFirst)) {
        for (const [index, anonymousId] of user.devices.entries()) {
          const page = await post(instance(index), '/v1/web/page', { anonymousId, name: 'Home' })
          expect(page.status).toBe(200)
        }
      }
      await Promise.all(
        users.map(async (user) => {
          const answers = await Promise.all(
            user.devices.map((anonymousId, index) =>
              post(instance(index), '/v1/web/identify', {
                anonymousId,
                userId: user.userId,
                traits: { email: `${index}@example.com` },
              }),
            ),
          )
          expect(answers.map((answer) => answer.status)).toEqual([200, 200])
        }),
      )
      for (const user of users) {
        const profiles = await profilesOf(user.userId)
        expect(profiles).toHaveLength(1)
        const links = await schema.query<{ profile_id: string }>(
          'SELECT DISTINCT profile_id FROM anonymous_ids WHERE anonymous_id = ANY($1)',
          [user.devices],
        )
        expect(links).toEqual([{ profile_id: profiles[0]?.id }])
      }
      // No anonymous profile was left behind by a merge that raced.
      const [{ count } = { count: -1 }] = await schema.query<{ count: number }>(
        'SELECT count(*)::int AS count FROM profiles WHERE id IN (SELECT profile_id FROM anonymous_ids WHERE anonymous_id = ANY($1))',
        [users.flatMap((user) => user.devices)],
      )
      expect(count).toBe(users.length)
      const view = await get(
        instance(1),
        `/v1/admin/profiles/lookup?userId=${encodeURIComponent(users[0]?.userId ?? '')}`,
      )
      expect((view.body.profile as { anonymousIds: string[] }).anonymousIds.sort()).toEqual(
        [...(users[0]?.devices ?? [])].sort(),
      )
    })

    it('counts every page view of one user browsing on two devices through two instances at once', async () => {
      const userId = `busy-${randomUUID()}`
      const devices = [randomUUID(), randomUUID()]
      for (const [index, anonymousId] of devices.entries()) {
        expect(
          (await post(instance(index), '/v1/web/identify', { anonymousId, userId })).status,
        ).toBe(200)
      }
      // The two devices lock different ids, so only the profile row's own lock (read FOR UPDATE
      // inside the transaction) stops one instance from overwriting the other's count.
      const views = Array.from({ length: 40 }, (_, index) =>
        post(instance(index), '/v1/web/page', {
          anonymousId: devices[index % 2],
          name: `Page ${index}`,
        }),
      )
      expect((await Promise.all(views)).every((answer) => answer.status === 200)).toBe(true)
      const view = await get(instance(0), `/v1/admin/profiles/lookup?userId=${userId}`)
      expect((view.body.profile as { visitor: { pageViews: number } }).visitor.pageViews).toBe(40)
    })

    it('gives one effect to a message sent to two instances at the same moment', async () => {
      for (let round = 0; round < 15; round += 1) {
        const anonymousId = randomUUID()
        const call = {
          anonymousId,
          event: 'Signed Up',
          messageId: `retry-${round}-${randomUUID()}`,
          properties: { plan: 'pro' },
        }
        const answers = await Promise.all(
          [0, 1].map((index) => post(instance(index), '/v1/track', call)),
        )
        expect(answers.map((answer) => answer.status)).toEqual([200, 200])
        const duplicates = answers.filter((answer) =>
          (answer.body.warnings as { code: string }[] | undefined)?.some(
            (warning) => warning.code === 'duplicate_message',
          ),
        )
        expect(duplicates).toHaveLength(1)
        const events = await schema.query('SELECT 1 FROM events WHERE message_id = $1', [
          call.messageId,
        ])
        expect(events).toHaveLength(1)
        const view = await get(
          instance(round),
          `/v1/admin/profiles/lookup?anonymousId=${anonymousId}`,
        )
        expect((view.body.profile as { visitor: { events: number } }).visitor.events).toBe(1)
      }
    })

    it('links a thousand users identified at once, across both instances, to one account', async () => {
      const company = `acme-${randomUUID().slice(0, 8)}`
      const domain = `${company}.example`
      const calls = Array.from({ length: 1_000 }, (_, index) => ({
        userId: `${company}-user-${index}`,
        anonymousId: randomUUID(),
        // Two in three name the company; the rest are linked by their work email's domain.
        traits:
          index % 3 === 2
            ? { email: `user${index}@${domain}` }
            : {
                email: `user${index}@${domain}`,
                company: { id: company, domain, name: 'Acme', employeeCount: index },
              },
        messageId: randomUUID(),
      }))
      // 100 calls in flight at every moment (50 per instance) until all 1,000 are answered: as
      // concurrent as a burst gets, without queueing a call longer than a busy machine allows.
      const answers: CallResult[] = []
      let next = 0
      const lane = async () => {
        for (let index = next++; index < calls.length; index = next++) {
          answers.push(await post(instance(index), '/v1/identify', calls[index], 60_000))
        }
      }
      await Promise.all(Array.from({ length: 100 }, lane))
      expect(answers).toHaveLength(calls.length)
      expect(answers.filter((answer) => answer.status !== 200)).toEqual([])

      const accounts = await schema.query<{ account_id: string }>(
        'SELECT DISTINCT account_id FROM account_keys WHERE key = ANY($1)',
        [[`id:${company}`, `domain:${domain}`]],
      )
      expect(accounts).toHaveLength(1)
      const accountId = accounts[0]?.account_id
      const linked = await schema.query<{ user_id: string }>(
        'SELECT user_id FROM profiles WHERE account_id = $1',
        [accountId],
      )
      expect(linked.map((row) => row.user_id).sort()).toEqual(
        calls.map((call) => call.userId).sort(),
      )
    }, 120_000)

    it('serves a profile an instance has cached as another instance just changed it', async () => {
      const anonymousId = randomUUID()
      const userId = `cached-${randomUUID()}`
      expect((await post(instance(0), '/v1/web/page', { anonymousId, name: 'Home' })).status).toBe(
        200,
      )
      // Instance 1 reads the anonymous profile, and its cache keeps it.
      const before = await post(instance(1), '/v1/personalize', { anonymousId })
      expect(before.body.userId).toBeUndefined()
      expect((await post(instance(0), '/v1/web/identify', { anonymousId, userId })).status).toBe(
        200,
      )
      // The notification crosses in milliseconds; without it the cache would stay stale for
      // good (it has no expiry), so a bounded wait cannot hide a missing invalidation.
      let after = await post(instance(1), '/v1/personalize', { anonymousId })
      for (let tries = 0; after.body.userId === undefined && tries < 40; tries += 1) {
        await new Promise((done) => setTimeout(done, 50))
        after = await post(instance(1), '/v1/personalize', { anonymousId })
      }
      expect(after.body.userId).toBe(userId)
    })

    it('tells another process what an instance changed, right after the commit', async () => {
      const listener = await PostgresStore.open({ url: schema.url, poolSize: 1 })
      try {
        const heard: StoreChange[] = []
        const userId = `feed-${randomUUID()}`
        const anonymousId = randomUUID()
        const heardDevice = new Promise<void>((done) =>
          listener.onChange((change) => {
            heard.push(change)
            if (change.kind === 'changed' && change.keys.includes(`device:${anonymousId}`)) done()
          }),
        )
        const answer = await post(instance(0), '/v1/web/identify', { anonymousId, userId })
        expect(answer.status).toBe(200)
        await heardDevice
        const [profile] = await profilesOf(userId)
        const keys = heard.flatMap((change) => (change.kind === 'changed' ? change.keys : []))
        expect(keys).toContain(`profile:${profile?.id}`)
        expect(
          heard.every((change) => change.kind === 'changed' && change.origin === 'remote'),
        ).toBe(true)
      } finally {
        await listener.close()
      }
    })
  },
)
