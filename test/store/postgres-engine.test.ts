import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { newProfile } from '../../server/src/profile/profile.ts'
import type { StoreChange } from '../../server/src/store/change-feed.ts'
import { postgresMigrations } from '../../server/src/store/postgres/postgres-schema.ts'
import { PostgresStore } from '../../server/src/store/postgres/postgres-store.ts'
import {
  createTestSchema,
  postgresAvailable,
  postgresTestUrl,
  type TestSchema,
} from '../helpers/postgres.ts'
import { startTcpProxy } from '../helpers/tcp-proxy.ts'

/**
 * What only the PostgreSQL engine has to get right: several stores (as several instances would
 * have) on one database, its migrations, conflict retries and the cross-instance change feed.
 */
describe.skipIf(!postgresAvailable('the PostgreSQL engine tests'))('PostgresStore', () => {
  let schema: TestSchema
  const opened: PostgresStore[] = []
  const open = async (options: { maxAttempts?: number } = {}) => {
    const store = await PostgresStore.open({ url: schema.url, poolSize: 4, ...options })
    opened.push(store)
    return store
  }

  beforeEach(async () => {
    schema = await createTestSchema()
  })
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()))
    await schema.drop()
  })

  it('migrates once when several instances start on an empty schema at the same moment', async () => {
    const stores = await Promise.all([open(), open(), open(), open()])
    const versions = await schema.query<{ version: number }>(
      'SELECT version FROM parley_schema_migrations ORDER BY version',
    )
    expect(versions.map((row) => row.version)).toEqual(
      postgresMigrations.map((_, index) => index + 1),
    )
    await stores[0]?.transaction((tx) => tx.putProfile(newProfile('p1', 'U', 1)))
    expect(await stores[3]?.read((r) => r.profileIdByUserId('U'))).toBe('p1')
  })

  it("keeps the previous release's group writer working on the migrated schema (a rolling deploy)", async () => {
    const store = await open()
    await store.transaction((tx) => tx.putProfile(newProfile('p1', 'U', 1)))
    // What an instance of the release before migration 7 sends for a call: one array of writes.
    const batch = [
      [
        ['claim', 'old-release-message', 5],
        ['link', 'old-release-device', 'p1', 5],
      ],
    ]
    await schema.query('SELECT parley_write_calls($1::jsonb)', [JSON.stringify(batch)])
    expect(await store.read((r) => r.profileIdByAnonymousId('old-release-device'))).toBe('p1')
    expect(await schema.query('SELECT key FROM messages')).toEqual([{ key: 'old-release-message' }])
  })

  it('creates the schema named in the URL when it does not exist yet', async () => {
    const fresh = `${schema.name}_new`
    const url = new URL(schema.url)
    url.searchParams.set('schema', fresh)
    try {
      const store = await PostgresStore.open({ url: url.toString(), poolSize: 1 })
      opened.push(store)
      await store.transaction((tx) => tx.putProfile(newProfile('p1', 'U', 1)))
      const rows = await schema.query(`SELECT id FROM ${fresh}.profiles`)
      expect(rows).toEqual([{ id: 'p1' }])
    } finally {
      await schema.query(`DROP SCHEMA IF EXISTS ${fresh} CASCADE`)
    }
  })

  it('lets exactly one of two instances claim the same message at the same moment', async () => {
    const [a, b] = await Promise.all([open(), open()])
    for (let round = 0; round < 20; round += 1) {
      const claims = await Promise.all(
        [a, b].map((store) => store?.transaction((tx) => tx.claimMessage(`m${round}`, round))),
      )
      expect(claims.filter(Boolean)).toHaveLength(1)
    }
  })

  it('serialises read-modify-write transactions of two instances that lock the same key', async () => {
    const [a, b] = await Promise.all([open(), open()])
    await a?.transaction((tx) => tx.putProfile(newProfile('counter', null, 1)))
    await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        (index % 2 === 0 ? a : b)?.transaction(async (tx) => {
          await tx.lock(['user:counter', `anonymous:${index}`])
          const current = await tx.profile('counter')
          if (current === undefined) throw new Error('missing')
          await tx.putProfile({
            ...current,
            visitor: { ...current.visitor, pageViews: current.visitor.pageViews + 1 },
          })
        }),
      ),
    )
    expect((await a?.read((r) => r.profile('counter')))?.visitor.pageViews).toBe(30)
  })

  it('re-runs a transaction that lost a unique-key race, which then sees the winner', async () => {
    const [a, b] = await Promise.all([open(), open()])
    let runs = 0
    // No lock(): both insert the same user id, PostgreSQL refuses one, the retry finds the row.
    const createUser = (store: PostgresStore | undefined, id: string) =>
      store?.transaction(async (tx) => {
        runs += 1
        const existing = await tx.profileIdByUserId('U')
        if (existing !== undefined) return existing
        await tx.claimMessage(`claim-${id}`, 1)
        await new Promise((done) => setTimeout(done, 50))
        await tx.putProfile(newProfile(id, 'U', 1))
        return id
      })
    const [first, second] = await Promise.all([createUser(a, 'pa'), createUser(b, 'pb')])
    expect(first).toBe(second)
    expect(runs).toBe(3)
    const rows = await schema.query('SELECT id FROM profiles WHERE user_id = $1', ['U'])
    expect(rows).toHaveLength(1)
  })

  it('re-runs the victim of a deadlock so that both transactions commit', async () => {
    const [a, b] = await Promise.all([open(), open()])
    await a?.transaction(async (tx) => {
      await tx.putProfile(newProfile('x', null, 1))
      await tx.putProfile(newProfile('y', null, 1))
    })
    // Row locks taken in opposite orders: PostgreSQL aborts one side with 40P01.
    const touch = (store: PostgresStore | undefined, order: string[]) =>
      store?.transaction(async (tx) => {
        for (const id of order) {
          const profile = await tx.profile(id)
          if (profile === undefined) throw new Error('missing')
          await new Promise((done) => setTimeout(done, 100))
          await tx.putProfile({ ...profile, updatedAt: profile.updatedAt + 1 })
        }
      })
    await Promise.all([touch(a, ['x', 'y']), touch(b, ['y', 'x'])])
    expect((await a?.read((r) => r.profile('x')))?.updatedAt).toBe(3)
    expect((await a?.read((r) => r.profile('y')))?.updatedAt).toBe(3)
  })

  it('never reports a commit for a transaction an SQL error aborted, even when fn swallowed it', async () => {
    const store = await open()
    await expect(
      store.transaction(async (tx) => {
        await tx.claimMessage('kept?', 1)
        await tx.claimMessage('bad\u0000key', 1).catch(() => undefined)
      }),
    ).rejects.toThrow(/rolled back/)
    expect(await store.transaction((tx) => tx.claimMessage('kept?', 2))).toBe(true)
    await store.transaction((tx) => tx.putProfile(newProfile('p1', 'U', 1)))
    await expect(
      store.transaction(async (tx) => {
        await tx.putProfile(newProfile('p2', null, 1))
        await tx.putProfile(newProfile('p3', 'U', 1)).catch(() => undefined)
      }),
    ).rejects.toThrow()
    expect(await store.read((r) => r.profile('p2'))).toBeUndefined()
  })

  it('answers text it cannot store (a NUL character) with a 400, not a crash', async () => {
    const store = await open()
    await expect(
      store.transaction((tx) => tx.claimMessage('browser:bad\u0000id', 1)),
    ).rejects.toMatchObject({ code: 'invalid_field', status: 400 })
  })

  it('publishes committed changes locally at once and to the other instances', async () => {
    const [a, b] = await Promise.all([open(), open()])
    const seenByA: StoreChange[] = []
    const seenByB: StoreChange[] = []
    a?.onChange((change) => seenByA.push(change))
    const heardByB = new Promise<void>((done) =>
      b?.onChange((change) => {
        seenByB.push(change)
        done()
      }),
    )
    await a?.transaction(async (tx) => {
      await tx.putProfile(newProfile('p1', 'U', 1))
      await tx.linkAnonymousId('A', 'p1', 1)
      await tx.putAccount({ id: 'acc', traits: {}, createdAt: 1, updatedAt: 1 })
    })
    expect(seenByA).toEqual([
      { kind: 'changed', origin: 'local', keys: ['profile:p1', 'device:A', 'account:acc'] },
    ])
    await heardByB
    expect(seenByB).toEqual([
      { kind: 'changed', origin: 'remote', keys: ['profile:p1', 'device:A', 'account:acc'] },
    ])
  })

  it('publishes nothing for a transaction that rolled back', async () => {
    const [a, b] = await Promise.all([open(), open()])
    const seen: StoreChange[] = []
    a?.onChange((change) => seen.push(change))
    b?.onChange((change) => seen.push(change))
    await expect(
      a?.transaction(async (tx) => {
        await tx.putProfile(newProfile('gone', null, 1))
        throw new Error('rolled back')
      }),
    ).rejects.toThrow('rolled back')
    // A later commit's notice arrives after any notice of the rolled-back one would have.
    const marker = new Promise<void>((done) =>
      b?.onChange((change) => {
        if (change.kind === 'changed' && change.keys.includes('profile:marker')) done()
      }),
    )
    await a?.transaction((tx) => tx.putProfile(newProfile('marker', null, 1)))
    await marker
    expect(
      seen.some((change) => change.kind === 'changed' && change.keys.includes('profile:gone')),
    ).toBe(false)
  })

  it('reconnects its listener by itself and tells caches to start over', async () => {
    const target = new URL(postgresTestUrl)
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) })
    try {
      const url = new URL(schema.url)
      url.hostname = '127.0.0.1'
      url.port = String(proxy.port)
      const viaProxy = await PostgresStore.open({
        url: url.toString(),
        connectTimeoutMs: 1_000,
        statementTimeoutMs: 1_000,
      })
      opened.push(viaProxy)
      const direct = await open()
      const heard: StoreChange[] = []
      const reset = new Promise<void>((done) =>
        viaProxy.onChange((change) => {
          heard.push(change)
          if (change.kind === 'reset') done()
        }),
      )
      proxy.setMode('refuse')
      await expect(viaProxy.ping()).rejects.toMatchObject({ code: 'store_unavailable' })
      proxy.setMode('forward')
      await reset
      await viaProxy.ping()
      // And it hears other instances again.
      const heardAgain = new Promise<void>((done) =>
        viaProxy.onChange((change) => {
          if (change.kind === 'changed' && change.keys.includes('profile:after')) done()
        }),
      )
      await direct.transaction((tx) => tx.putProfile(newProfile('after', null, 1)))
      await heardAgain
      expect(heard[0]).toEqual({ kind: 'reset', reason: 'change listener reconnected' })
    } finally {
      await proxy.close()
    }
  })

  it('fails fast with store_unavailable when the database cannot be reached', async () => {
    const url = new URL(schema.url)
    url.port = '1' // nothing listens there
    await expect(
      PostgresStore.open({ url: url.toString(), connectTimeoutMs: 500 }),
    ).rejects.toMatchObject({ code: 'store_unavailable', status: 503 })
  })
})
