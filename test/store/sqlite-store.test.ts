import { randomUUID } from 'node:crypto'
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { AppError } from '../../server/src/errors/app-error.ts'
import { identifyEvent } from '../../server/src/pipeline/identify-event.ts'
import { ingest } from '../../server/src/pipeline/ingest.ts'
import { newProfile } from '../../server/src/profile/profile.ts'
import { BackgroundCheckpoints } from '../../server/src/store/sqlite/background-checkpoints.ts'
import { SqliteEngine } from '../../server/src/store/sqlite/sqlite-engine.ts'
import { SqliteStore } from '../../server/src/store/sqlite/sqlite-store.ts'
import type { StoreReader } from '../../server/src/store/store.ts'
import { traitsToTree } from '../../server/src/traits/trait-tree.ts'
import { describeStoreContract } from './store-contract.ts'

const dir = mkdtempSync(join(tmpdir(), 'parley-sqlite-'))
let counter = 0
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describeStoreContract('sqlite', {
  open: async () => new SqliteStore(join(dir, `contract-${counter++}.db`)),
})

describe('SqliteStore', () => {
  it('keeps committed data in its file across a close and reopen', async () => {
    const file = join(dir, 'reopen.db')
    const first = new SqliteStore(file)
    await first.transaction((tx) => tx.putProfile(newProfile('p1', 'U', 1)))
    await first.close()
    const second = new SqliteStore(file)
    expect(await second.read((r) => r.profileIdByUserId('U'))).toBe('p1')
    await second.close()
  })

  it('runs in WAL mode and creates the folder of its file', async () => {
    const file = join(dir, 'nested', 'deeper', 'wal.db')
    const store = new SqliteStore(file)
    await store.transaction((tx) => tx.claimMessage('k', 1))
    await store.close()
    const Database = (await import('better-sqlite3')).default
    const db = new Database(file, { readonly: true })
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('page_size', { simple: true })).toBe(2048)
    db.close()
  })

  it('moves a file of schema 3 to compact values without losing a lookup', async () => {
    const Database = (await import('better-sqlite3')).default
    const { sqliteMigrations } = await import('../../server/src/store/sqlite/sqlite-schema.ts')
    const file = join(dir, 'schema-3.db')
    const profileId = '0b6c2a4e-5d1f-4c8e-9a3b-7e2f1d0c9b8a'
    const device = 'f1e2d3c4-b5a6-4978-8695-a4b3c2d1e0f9'
    const old = new Database(file)
    old.pragma('journal_mode = WAL')
    for (const step of sqliteMigrations.slice(0, 3)) old.exec(step)
    old.pragma('user_version = 3')
    const doc = JSON.stringify({
      account: null,
      traits: {},
      visitor: { firstSeenAt: 1, lastSeenAt: 1, pageViews: 0, events: 0 },
    })
    old.prepare('INSERT INTO profiles VALUES (?, ?, NULL, ?, 1, 1)').run(profileId, 'U', doc)
    old.prepare('INSERT INTO anonymous_ids VALUES (?, ?, 1)').run(device, profileId)
    old
      .prepare(
        'INSERT INTO merge_log (at, kind, into_profile_id, anonymous_id, user_id, reason) VALUES (1, ?, ?, ?, ?, ?)',
      )
      .run('identified', profileId, device, 'U', 'identify call')
    old.prepare('INSERT INTO messages VALUES (?, 1)').run('wk:abc:m-1')
    old.prepare('INSERT INTO impressions VALUES (?, ?, ?, 0, 1)').run(profileId, 'hero', 'bold')
    old.close()

    const store = new SqliteStore(file)
    const found = await store.read(async (reader) => ({
      byDevice: await reader.profileIdByAnonymousId(device),
      byUser: await reader.profileIdByUserId('U'),
      profile: (await reader.profile(profileId))?.id,
      devices: await reader.anonymousIds(profileId),
      log: (await reader.mergeLog(profileId)).map((entry) => entry.anonymousId),
      seen: await reader.messageSeen('wk:abc:m-1'),
      impressions: (await reader.impressions(profileId)).map((i) => i.variation),
    }))
    expect(found).toEqual({
      byDevice: profileId,
      byUser: profileId,
      profile: profileId,
      devices: [device],
      log: [device],
      seen: true,
      impressions: ['bold'],
    })
    await store.close()
    const db = new Database(file, { readonly: true })
    const stored = db.prepare('SELECT typeof(id) AS type, length(id) AS bytes FROM profiles').get()
    expect(stored).toEqual({ type: 'blob', bytes: 16 })
    db.close()
  })

  it('keeps the page size of a file made before', async () => {
    const Database = (await import('better-sqlite3')).default
    const file = join(dir, 'old-pages.db')
    const old = new Database(file)
    old.pragma('page_size = 4096')
    old.exec('CREATE TABLE before_parley (x)')
    old.close()
    const store = new SqliteStore(file)
    await store.transaction((tx) => tx.putProfile(newProfile('p1', 'U', 1)))
    expect(await store.read((r) => r.profileIdByUserId('U'))).toBe('p1')
    await store.close()
    const db = new Database(file, { readonly: true })
    expect(db.pragma('page_size', { simple: true })).toBe(4096)
    db.close()
  })

  it('loads the better-sqlite3 addon named by nativeBinding, and fails to open on a wrong one', async () => {
    const addon = join(
      import.meta.dirname,
      '../../node_modules/better-sqlite3/build/Release/better_sqlite3.node',
    )
    const store = new SqliteStore(join(dir, 'binding.db'), { nativeBinding: addon })
    await store.transaction((tx) => tx.putProfile(newProfile('p1', 'U', 1)))
    expect(await store.read((r) => r.profileIdByUserId('U'))).toBe('p1')
    await store.close()
    const wrong = new SqliteStore(join(dir, 'wrong.db'), { nativeBinding: join(dir, 'none.node') })
    await expect(wrong.ready).rejects.toThrow()
    await expect(wrong.ping()).rejects.toMatchObject({ code: 'store_unavailable' })
    await wrong.close()
  })

  it('runs each call read, plan and write with no other transaction in between', async () => {
    const store = new SqliteStore(join(dir, 'one-at-a-time.db'))
    // Forty new devices of one user and one company at once: every plan must see the profile
    // and the account the calls before it created, never a stale snapshot.
    const calls = Array.from({ length: 40 }, (_, n) =>
      ingest(
        identifyEvent({
          channel: 'server',
          source: 'test',
          anonymousId: `device-${n}`,
          userId: 'U',
          traits: { seen: n },
          company: { id: 'acme', employeeCount: n },
          at: 1_000 + n,
        }),
        { store, newId: randomUUID },
      ),
    )
    const results = await Promise.all(calls)
    const profileIds = new Set(results.map((result) => result.profileId))
    expect(profileIds.size).toBe(1)
    const [profileId] = profileIds
    const { devices, accounts } = await store.read(async (reader) => ({
      devices: await reader.anonymousIds(profileId ?? ''),
      accounts: (await reader.profileSample(10)).profiles.map((profile) => profile.account?.id),
    }))
    expect(devices).toHaveLength(40)
    expect(new Set(accounts).size).toBe(1)
    await store.close()
  })

  it('reads on the event loop see one committed view each, and a write committed before a read starts', async () => {
    const store = new SqliteStore(join(dir, 'read-view.db'))
    await store.transaction((tx) => tx.putProfile(newProfile('p1', 'U1', 1)))
    let release: () => void = () => undefined
    const held = new Promise<void>((resolve) => (release = resolve))
    // A session that stays open across the write below keeps the view it began with.
    const early = store.read(async (reader) => {
      const before = await reader.profileIdByUserId('U2')
      await held
      return [before, await reader.profileIdByUserId('U2')]
    })
    await store.transaction((tx) => tx.putProfile(newProfile('p2', 'U2', 2)))
    // Started after the commit: it must not share the early session's older view.
    const late = store.read((reader) => reader.profileIdByUserId('U2'))
    release()
    expect(await early).toEqual([undefined, undefined])
    expect(await late).toBe('p2')
    await store.close()
    await expect(store.read((reader) => reader.profile('p1'))).rejects.toMatchObject({
      code: 'store_unavailable',
    })
  })

  it('copies committed pages into the file on a thread of its own, long before the writer would', async () => {
    const Database = (await import('better-sqlite3')).default
    const file = join(dir, 'background-checkpoint.db')
    const store = new SqliteStore(file)
    // A few dozen pages in the log: far below the writer's own threshold of 2,000.
    await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        store.transaction((tx) => tx.putProfile(newProfile(`p${n}`, `U${n}`, n))),
      ),
    )
    // The database file alone, without its log, holds only what a checkpoint copied into it.
    const profilesInFileAlone = () => {
      const copy = join(dir, `file-alone-${randomUUID()}.db`)
      copyFileSync(file, copy)
      const db = new Database(copy)
      try {
        return (db.prepare('SELECT count(*) AS n FROM profiles').get() as { n: number }).n
      } catch {
        return -1 // copied in the middle of a pass
      } finally {
        db.close()
      }
    }
    let copied = profilesInFileAlone()
    for (let tries = 0; copied !== 20 && tries < 50; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      copied = profilesInFileAlone()
    }
    expect(copied).toBe(20)
    await store.close()
  })

  it('tells of a checkpointer that cannot open the file, and closes without it', async () => {
    const errors: unknown[] = []
    const checkpoints = new BackgroundCheckpoints(
      {
        file: join(dir, 'no-checkpointer.db'),
        synchronous: 'FULL',
        nativeBinding: join(dir, 'none.node'),
        commits: new Int32Array(new SharedArrayBuffer(4)),
      },
      (error) => errors.push(error),
    )
    for (let tries = 0; errors.length === 0 && tries < 50; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(errors[0]).toBeInstanceOf(Error)
    await checkpoints.close()
  })

  it('keeps the log bounded under a steady stream of commits', async () => {
    const file = join(dir, 'bounded-log.db')
    const store = new SqliteStore(file)
    const traits = traitsToTree({ notes: 'x'.repeat(3000) }, 1)
    let largestLog = 0
    // About 12 MiB of documents, committed in groups while the background thread copies.
    for (let round = 0; round < 20; round += 1) {
      await Promise.all(
        Array.from({ length: 200 }, (_, n) =>
          store.transaction((tx) =>
            tx.putProfile({ ...newProfile(`p${round}-${n}`, null, n), traits }),
          ),
        ),
      )
      largestLog = Math.max(largestLog, statSync(`${file}-wal`).size)
    }
    // A pass that copied the whole log lets the writer start it over, and the writer's own
    // threshold (2,000 pages of 2 KiB) is the backstop; a group's pages may land first.
    expect(largestLog).toBeGreaterThan(0)
    expect(largestLog).toBeLessThan(8 * 1024 * 1024)
    expect((await store.read((reader) => reader.profileSample(1))).total).toBe(4000)
    await store.close()
  })

  describe("the writer's cache of looked-up rows", () => {
    const plan = (n: number) => traitsToTree({ plan: `p${n}` }, n)

    it('sees what another connection wrote to the file since the writer last looked', async () => {
      const file = join(dir, 'cache-other-writer.db')
      const store = new SqliteStore(file)
      await store.transaction(async (tx) => {
        await tx.putProfile({ ...newProfile('p1', 'U', 1), traits: plan(1) })
        await tx.putAccount({ id: 'a1', traits: plan(1), createdAt: 1, updatedAt: 1 })
        await tx.linkAccountKey('id:acme', 'a1')
      })
      // Looked up once, so the writer now keeps them.
      await store.transaction(async (tx) => {
        await tx.profileIdByUserId('U')
        await tx.profile('p1')
        await tx.accountIdByKey('id:acme')
        await tx.account('a1')
      })
      // Another process on the same file (the CLI, say) moves the user id and changes the rows.
      const other = new SqliteEngine(file)
      await other.transaction(async (tx) => {
        await tx.putProfile({ ...newProfile('p1', 'V', 1), traits: plan(2), updatedAt: 2 })
        await tx.putAccount({ id: 'a1', traits: plan(2), createdAt: 1, updatedAt: 2 })
        await tx.putAccount({ id: 'a2', traits: plan(3), createdAt: 3, updatedAt: 3 })
        await tx.linkAccountKey('id:acme', 'a2')
        await tx.suppress([{ key: 'user:U-hash', kind: 'userId', reason: 'requested', at: 4 }])
      })
      await other.close()
      const seen = await store.transaction(async (tx) => ({
        suppressed: await tx.suppressedKeys(['user:U-hash']),
        U: await tx.profileIdByUserId('U'),
        V: await tx.profileIdByUserId('V'),
        traits: (await tx.profile('p1'))?.traits,
        account: (await tx.account('a1'))?.traits,
        key: await tx.accountIdByKey('id:acme'),
      }))
      expect(seen).toEqual({
        suppressed: ['user:U-hash'],
        U: undefined,
        V: 'p1',
        traits: plan(2),
        account: plan(2),
        key: 'a2',
      })
      await store.close()
    })

    it('forgets the writes of a transaction that rolled back', async () => {
      const store = new SqliteStore(join(dir, 'cache-rollback.db'))
      await store.transaction(async (tx) => {
        await tx.putProfile({ ...newProfile('p1', 'U', 1), traits: plan(1) })
        await tx.putAccount({ id: 'a1', traits: plan(1), createdAt: 1, updatedAt: 1 })
      })
      await expect(
        store.transaction(async (tx) => {
          await tx.profile('p1')
          await tx.putProfile({ ...newProfile('p1', 'W', 1), traits: plan(2), updatedAt: 2 })
          await tx.putProfile(newProfile('p2', 'U', 2))
          await tx.putAccount({ id: 'a1', traits: plan(2), createdAt: 1, updatedAt: 2 })
          await tx.linkAccountKey('id:acme', 'a1')
          throw new Error('the call failed after its writes')
        }),
      ).rejects.toThrow('the call failed after its writes')
      const seen = await store.transaction(async (tx) => ({
        profile: await tx.profile('p1'),
        p2: await tx.profile('p2'),
        U: await tx.profileIdByUserId('U'),
        W: await tx.profileIdByUserId('W'),
        account: (await tx.account('a1'))?.traits,
        key: await tx.accountIdByKey('id:acme'),
      }))
      expect(seen).toEqual({
        profile: { ...newProfile('p1', 'U', 1), traits: plan(1) },
        p2: undefined,
        U: 'p1',
        W: undefined,
        account: plan(1),
        key: undefined,
      })
      await store.close()
    })

    it('answers as the file does after profiles change user id, are deleted and accounts are updated', async () => {
      const file = join(dir, 'cache-exact.db')
      const store = new SqliteStore(file)
      // UUIDs, which the file keeps as 16-byte blobs: what is kept must read as what is stored.
      const [p1, p2, p3, a1] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()]
      const userU = randomUUID()
      await store.transaction(async (tx) => {
        await tx.putProfile(newProfile(p1, userU, 1))
        await tx.putProfile(newProfile(p2, 'V', 1))
        await tx.putAccount({ id: a1, traits: plan(1), createdAt: 1, updatedAt: 1 })
      })
      await store.transaction(async (tx) => {
        await tx.profileIdByUserId(userU)
        await tx.profileIdByUserId('V')
        await tx.account(a1)
      })
      await store.transaction(async (tx) => {
        await tx.putProfile({ ...newProfile(p1, null, 1), updatedAt: 2 })
        await tx.deleteProfile(p2)
        await tx.putProfile(newProfile(p3, userU, 3))
        // An update leaves the account's created_at as the file has it.
        await tx.putAccount({ id: a1, traits: plan(2), createdAt: 99, updatedAt: 2 })
      })
      const lookups = async (reader: StoreReader) => ({
        U: await reader.profileIdByUserId(userU),
        V: await reader.profileIdByUserId('V'),
        p1: await reader.profile(p1),
        p2: await reader.profile(p2),
        account: await reader.account(a1),
      })
      const cached = await store.transaction(lookups)
      expect(cached).toEqual(await store.read(lookups))
      expect(cached).toMatchObject({ U: p3, V: undefined, p2: undefined })
      expect(cached.account).toEqual({ id: a1, traits: plan(2), createdAt: 1, updatedAt: 2 })
      await store.close()
      const uncached = new SqliteEngine(file, { cacheEntries: 0 })
      expect(await uncached.read(lookups)).toEqual(cached)
      await uncached.close()
    })
  })

  it('answers a closed store with a retryable store_unavailable error', async () => {
    const store = new SqliteStore(join(dir, 'closed.db'))
    await store.close()
    await expect(store.ping()).rejects.toMatchObject({ code: 'store_unavailable', status: 503 })
    await expect(store.transaction((tx) => tx.claimMessage('k', 1))).rejects.toBeInstanceOf(
      AppError,
    )
  })
})
