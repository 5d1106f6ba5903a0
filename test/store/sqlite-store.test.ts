import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { AppError } from '../../server/src/errors/app-error.ts'
import { newProfile } from '../../server/src/profile/profile.ts'
import type { CallRequest } from '../../server/src/store/call-batch.ts'
import { SqliteStore } from '../../server/src/store/sqlite/sqlite-store.ts'
import { StoreConflictError } from '../../server/src/store/store-conflict.ts'
import type { StoreWriter } from '../../server/src/store/store.ts'
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

  it('writes a call only on the snapshot it planned on, and plans again on the fresh one', async () => {
    const store = new SqliteStore(join(dir, 'replan.db'))
    const request: CallRequest = {
      locks: [],
      anonymousIds: ['a'],
      userIds: [],
      accountKeys: [],
      messageKey: 'k',
      suppressionKeys: [],
      impressions: false,
    }
    let meanwhile: Promise<void> | undefined
    const seen: number[] = []
    const result = await store.runCall(request, (snapshot) => {
      seen.push(snapshot.devices.length)
      // Another transaction links the device between this plan and its write.
      meanwhile ??= store.transaction((tx) => tx.linkAnonymousId('a', 'p1', 1))
      return {
        kind: 'write',
        writes: [{ op: 'claimMessage', key: 'k', receivedAt: 1 }],
        result: snapshot.devices.length,
      }
    })
    await meanwhile
    expect(seen).toEqual([0, 1])
    expect(result).toBe(1)
    expect(await store.read((r) => r.messageSeen('k'))).toBe(true)
    await store.close()
  })

  describe('plans again when, between its snapshot and its write, another transaction', () => {
    const base: CallRequest = {
      locks: [],
      anonymousIds: [],
      userIds: [],
      accountKeys: [],
      messageKey: 'm',
      suppressionKeys: [],
      impressions: false,
    }
    const account = { id: 'acc', traits: {}, createdAt: 1, updatedAt: 1 }
    const withDevice = async (tx: StoreWriter) => {
      await tx.putProfile(newProfile('p1', null, 1))
      await tx.linkAnonymousId('a', 'p1', 1)
    }
    const withAccount = async (tx: StoreWriter) => {
      await tx.putAccount(account)
      await tx.linkAccountKey('id:1', 'acc')
      await tx.linkAccountKey('domain:z.example', 'acc')
    }
    const cases: {
      name: string
      request: Partial<CallRequest>
      setup?: (tx: StoreWriter) => Promise<void>
      change: (tx: StoreWriter) => Promise<unknown>
    }[] = [
      {
        name: 'gives its user id to a profile',
        request: { userIds: ['U'] },
        change: (tx) => tx.putProfile(newProfile('p9', 'U', 1)),
      },
      {
        name: 'changes the profile its device points at',
        request: { anonymousIds: ['a'] },
        setup: withDevice,
        change: (tx) => tx.putProfile({ ...newProfile('p1', null, 1), updatedAt: 5 }),
      },
      {
        name: 'deletes that profile',
        request: { anonymousIds: ['a'] },
        setup: withDevice,
        change: (tx) => tx.deleteProfile('p1'),
      },
      {
        name: 'moves that profile into another',
        request: { anonymousIds: ['a'] },
        setup: withDevice,
        change: async (tx) => {
          await tx.putProfile(newProfile('p2', null, 1))
          await tx.moveProfileData('p1', 'p2')
        },
      },
      {
        name: 'records an impression of that profile (when the call reads impressions)',
        request: { anonymousIds: ['a'], impressions: true },
        setup: withDevice,
        change: (tx) =>
          tx.recordImpression({
            profileId: 'p1',
            experienceId: 'e',
            variation: 'v',
            control: false,
            at: 2,
          }),
      },
      {
        name: 'suppresses one of its identifiers',
        request: { suppressionKeys: ['s'] },
        change: (tx) => tx.suppress([{ key: 's', kind: 'userId', reason: 'requested', at: 1 }]),
      },
      {
        name: 'lifts a suppression of one of its identifiers',
        request: { suppressionKeys: ['s'] },
        setup: (tx) => tx.suppress([{ key: 's', kind: 'userId', reason: 'requested', at: 1 }]),
        change: (tx) => tx.unsuppress(['s']),
      },
      {
        name: 'links one of its account keys',
        request: { accountKeys: ['domain:x.example'] },
        setup: (tx) => tx.putAccount(account),
        change: (tx) => tx.linkAccountKey('domain:x.example', 'acc'),
      },
      {
        name: 'changes the account a key finds',
        request: { accountKeys: ['id:1'] },
        setup: withAccount,
        change: (tx) => tx.putAccount({ ...account, updatedAt: 9 }),
      },
      {
        name: 'gives that account another key',
        request: { accountKeys: ['id:1'] },
        setup: withAccount,
        change: (tx) => tx.linkAccountKey('domain:y.example', 'acc'),
      },
      {
        name: 'moves a key of that account to another account',
        request: { accountKeys: ['id:1'] },
        setup: withAccount,
        change: async (tx) => {
          await tx.putAccount({ ...account, id: 'acc2' })
          await tx.linkAccountKey('domain:z.example', 'acc2')
        },
      },
    ]
    for (const { name, request, setup, change } of cases) {
      it(name, async () => {
        const store = new SqliteStore(join(dir, `stale-${counter++}.db`))
        if (setup !== undefined) await store.transaction(setup)
        let meanwhile: Promise<unknown> | undefined
        const seen: string[] = []
        await store.runCall({ ...base, ...request }, (snapshot) => {
          seen.push(JSON.stringify(snapshot))
          meanwhile ??= store.transaction(change)
          return { kind: 'write', writes: [], result: null }
        })
        await meanwhile
        expect(seen).toHaveLength(2)
        expect(seen[1]).not.toBe(seen[0])
        await store.close()
      })
    }
  })

  it('reads again when a plan finds its snapshot inconsistent, and answers 503 when that never ends', async () => {
    const store = new SqliteStore(join(dir, 'inconsistent.db'))
    const request: CallRequest = {
      locks: [],
      anonymousIds: [],
      userIds: ['u'],
      accountKeys: [],
      messageKey: 'm',
      suppressionKeys: [],
      impressions: false,
    }
    let asked = 0
    const result = await store.runCall(request, () => {
      asked += 1
      if (asked === 1) throw new StoreConflictError('a profile linked but missing')
      return { kind: 'write', writes: [], result: 'done' }
    })
    expect([result, asked]).toEqual(['done', 2])
    await expect(
      store.runCall(request, () => {
        throw new StoreConflictError('always')
      }),
    ).rejects.toMatchObject({ code: 'store_unavailable', status: 503 })
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

  it('answers a closed store with a retryable store_unavailable error', async () => {
    const store = new SqliteStore(join(dir, 'closed.db'))
    await store.close()
    await expect(store.ping()).rejects.toMatchObject({ code: 'store_unavailable', status: 503 })
    await expect(store.transaction((tx) => tx.claimMessage('k', 1))).rejects.toBeInstanceOf(
      AppError,
    )
  })
})
