import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type {
  Account,
  MergeLogEntry,
  Profile,
  StoredEvent,
} from '../../server/src/profile/profile.ts'
import { newProfile } from '../../server/src/profile/profile.ts'
import type { StoreChange } from '../../server/src/store/change-feed.ts'
import type { Store } from '../../server/src/store/store.ts'
import { traitsToTree } from '../../server/src/traits/trait-tree.ts'
import { describeAuthoringContract } from './authoring-contract.ts'
import { describeConsoleReadsContract } from './console-reads-contract.ts'
import { describeMeasurementContract } from './measurement-contract.ts'
import { describeTransferContract } from './transfer-contract.ts'

/** How a contract run gets a fresh, empty store of one engine, and disposes of it. */
export interface StoreFactory {
  open: () => Promise<Store>
  dispose?: (store: Store) => Promise<void>
}

function profile(id: string, userId: string | null = null): Profile {
  return {
    ...newProfile(id, userId, 1_000),
    account: { id: 'acc-1', source: 'company', at: 1_000 },
    traits: traitsToTree({ email: `${id}@example.com`, nested: { deep: [1, 2] } }, 1_000),
  }
}

function event(profileId: string, at: number, name: string): StoredEvent {
  return {
    profileId,
    type: 'track',
    name,
    at,
    receivedAt: at,
    messageId: `m-${name}`,
    properties: { n: name },
  }
}

function logEntry(into: string, from: string | null, kind: MergeLogEntry['kind']): MergeLogEntry {
  return {
    at: 5,
    kind,
    fromProfileId: from,
    intoProfileId: into,
    anonymousId: 'A',
    userId: 'U',
    reason: 'test',
    messageId: null,
  }
}

class Boom extends Error {}

/**
 * The behaviour every storage engine must have. Each engine's test file calls this with its own
 * factory, so memory, SQLite and PostgreSQL are held to the same promises.
 */
export function describeStoreContract(engine: string, factory: StoreFactory): void {
  describe(`Store contract: ${engine}`, () => {
    let store: Store
    beforeEach(async () => {
      store = await factory.open()
    })
    afterEach(async () => {
      await (factory.dispose ?? ((s: Store) => s.close()))(store)
    })

    it('stores and reads back a profile with its traits, account link and visitor stats', async () => {
      const p = profile('p1', 'U1')
      await store.transaction(async (tx) => tx.putProfile(p))
      expect(await store.read((r) => r.profile('p1'))).toEqual(p)
      expect(await store.read((r) => r.profileIdByUserId('U1'))).toBe('p1')
      expect(await store.read((r) => r.profile('missing'))).toBeUndefined()
    })

    it('replaces a profile on a second put and follows a change of its user id', async () => {
      await store.transaction(async (tx) => tx.putProfile(profile('p1')))
      await store.transaction(async (tx) =>
        tx.putProfile({ ...profile('p1'), userId: 'U2', updatedAt: 2_000 }),
      )
      expect((await store.read((r) => r.profile('p1')))?.updatedAt).toBe(2_000)
      expect(await store.read((r) => r.profileIdByUserId('U2'))).toBe('p1')
    })

    it('refuses to give one user id to two profiles', async () => {
      await store.transaction(async (tx) => tx.putProfile(profile('p1', 'U')))
      await expect(
        store.transaction(async (tx) => tx.putProfile(profile('p2', 'U'))),
      ).rejects.toThrow()
      expect(await store.read((r) => r.profile('p2'))).toBeUndefined()
    })

    it('commits every write of a transaction together, or none when it throws', async () => {
      await expect(
        store.transaction(async (tx) => {
          await tx.claimMessage('browser:m1', 1)
          await tx.putProfile(profile('p1', 'U'))
          await tx.linkAnonymousId('A', 'p1', 1)
          await tx.putAccount({ id: 'acc', traits: {}, createdAt: 1, updatedAt: 1 })
          await tx.linkAccountKey('id:acme', 'acc')
          await tx.appendMergeLog(logEntry('p1', null, 'identified'))
          await tx.appendEvent(event('p1', 1, 'e'))
          throw new Boom('rolled back')
        }),
      ).rejects.toBeInstanceOf(Boom)
      await store.read(async (r) => {
        expect(await r.profile('p1')).toBeUndefined()
        expect(await r.profileIdByAnonymousId('A')).toBeUndefined()
        expect(await r.account('acc')).toBeUndefined()
        expect(await r.accountIdByKey('id:acme')).toBeUndefined()
        expect(await r.mergeLog('p1')).toEqual([])
        expect(await r.events('p1', 10)).toEqual([])
      })
      // The message claim was rolled back too, so a retry of the same message is processed.
      expect(await store.transaction((tx) => tx.claimMessage('browser:m1', 2))).toBe(true)
    })

    it('claims a message key once: a retry is recognised across transactions', async () => {
      expect(await store.transaction((tx) => tx.claimMessage('wk:1:m', 1))).toBe(true)
      expect(await store.transaction((tx) => tx.claimMessage('wk:1:m', 2))).toBe(false)
      expect(await store.transaction((tx) => tx.claimMessage('wk:2:m', 2))).toBe(true)
    })

    it('forgets message keys older than the dedup window and keeps newer ones', async () => {
      await store.transaction(async (tx) => {
        await tx.claimMessage('old', 100)
        await tx.claimMessage('new', 300)
      })
      expect(await store.pruneMessages(200)).toBe(1)
      expect(await store.transaction((tx) => tx.claimMessage('old', 400))).toBe(true)
      expect(await store.transaction((tx) => tx.claimMessage('new', 400))).toBe(false)
    })

    it('links anonymous ids to a profile, oldest first, and unlinks them', async () => {
      await store.transaction(async (tx) => {
        await tx.putProfile(profile('p1'))
        await tx.linkAnonymousId('B', 'p1', 20)
        await tx.linkAnonymousId('A', 'p1', 10)
      })
      expect(await store.read((r) => r.anonymousIds('p1'))).toEqual(['A', 'B'])
      await store.transaction((tx) => tx.unlinkAnonymousId('A'))
      expect(await store.read((r) => r.profileIdByAnonymousId('A'))).toBeUndefined()
      expect(await store.read((r) => r.anonymousIds('p1'))).toEqual(['B'])
    })

    it('moves anonymous ids and events when one profile folds into another', async () => {
      await store.transaction(async (tx) => {
        await tx.putProfile(profile('from'))
        await tx.putProfile(profile('into', 'U'))
        await tx.linkAnonymousId('A', 'from', 1)
        await tx.linkAnonymousId('K', 'into', 0)
        await tx.appendEvent(event('from', 2, 'early'))
        await tx.appendEvent(event('into', 3, 'late'))
        await tx.moveProfileData('from', 'into')
        await tx.deleteProfile('from')
      })
      await store.read(async (r) => {
        expect(await r.anonymousIds('into')).toEqual(['K', 'A'])
        expect(await r.profileIdByAnonymousId('A')).toBe('into')
        expect((await r.events('into', 10)).map((e) => e.name)).toEqual(['early', 'late'])
        expect(await r.profile('from')).toBeUndefined()
      })
    })

    it('keeps accounts and their lookup keys', async () => {
      const account: Account = {
        id: 'acc',
        traits: traitsToTree({ name: 'AirBnb' }, 1),
        createdAt: 1,
        updatedAt: 1,
      }
      await store.transaction(async (tx) => {
        await tx.putAccount(account)
        await tx.linkAccountKey('id:b4c6', 'acc')
        await tx.linkAccountKey('domain:airbnb.com', 'acc')
      })
      await store.transaction((tx) => tx.putAccount({ ...account, updatedAt: 9 }))
      await store.read(async (r) => {
        expect(await r.account('acc')).toEqual({ ...account, updatedAt: 9 })
        expect(await r.accountIdByKey('domain:airbnb.com')).toBe('acc')
        expect(await r.accountKeys('acc')).toEqual(['id:b4c6', 'domain:airbnb.com'])
      })
    })

    it('returns the merge log of a profile, as source or target, in the order written', async () => {
      await store.transaction(async (tx) => {
        await tx.appendMergeLog(logEntry('p1', null, 'identified'))
        await tx.appendMergeLog(logEntry('p1', 'p2', 'merged'))
        await tx.appendMergeLog(logEntry('p3', 'p1', 'detached'))
        await tx.appendMergeLog(logEntry('p9', null, 'identified'))
      })
      expect((await store.read((r) => r.mergeLog('p1'))).map((e) => e.kind)).toEqual([
        'identified',
        'merged',
        'detached',
      ])
    })

    it('returns events oldest first, at most the limit', async () => {
      await store.transaction(async (tx) => {
        await tx.appendEvent(event('p', 30, 'c'))
        await tx.appendEvent(event('p', 10, 'a'))
        await tx.appendEvent(event('p', 20, 'b'))
      })
      expect((await store.read((r) => r.events('p', 2))).map((e) => e.name)).toEqual(['a', 'b'])
    })

    it('never shows a read the writes of a transaction that has not committed', async () => {
      let release!: () => void
      const gate = new Promise<void>((done) => (release = done))
      const writing = store.transaction(async (tx) => {
        await tx.putProfile(profile('pending'))
        await gate
        throw new Boom('abandoned')
      })
      const reading = store.read((r) => r.profile('pending'))
      release()
      await expect(writing).rejects.toBeInstanceOf(Boom)
      expect(await reading).toBeUndefined()
    })

    it('serialises concurrent read-modify-write transactions that lock the same key', async () => {
      await store.transaction((tx) => tx.putProfile(profile('counter')))
      await Promise.all(
        Array.from({ length: 20 }, () =>
          store.transaction(async (tx) => {
            await tx.lock(['counter'])
            const current = await tx.profile('counter')
            if (current === undefined) throw new Error('missing')
            await tx.putProfile({
              ...current,
              visitor: { ...current.visitor, pageViews: current.visitor.pageViews + 1 },
            })
          }),
        ),
      )
      expect((await store.read((r) => r.profile('counter')))?.visitor.pageViews).toBe(20)
    })

    it('tells its change listeners what a transaction changed once it committed, and nothing of a rollback', async () => {
      const heard: StoreChange[] = []
      const unsubscribe = store.onChange((change) => heard.push(change))
      await expect(
        store.transaction(async (tx) => {
          await tx.putProfile(profile('rolled-back'))
          throw new Boom('no')
        }),
      ).rejects.toBeInstanceOf(Boom)
      await store.transaction(async (tx) => {
        await tx.putProfile(profile('p1'))
        await tx.linkAnonymousId('A', 'p1', 1)
        await tx.putAccount({ id: 'acc', traits: {}, createdAt: 1, updatedAt: 1 })
      })
      // Published before transaction() resolved: a cache never serves the old value after it.
      expect(heard).toEqual([
        { kind: 'changed', origin: 'local', keys: ['profile:p1', 'device:A', 'account:acc'] },
      ])
      unsubscribe()
      await store.transaction((tx) => tx.putProfile(profile('p2')))
      expect(heard).toHaveLength(1)
    })

    it('records suppressions once, finds them by key and lifts them', async () => {
      await store.transaction(async (tx) => {
        await tx.suppress([
          { key: 'k-user', kind: 'userId', reason: 'requested', at: 1 },
          { key: 'k-mail', kind: 'email', reason: 'deleted', at: 1 },
        ])
        await tx.suppress([{ key: 'k-user', kind: 'userId', reason: 'deleted', at: 2 }])
      })
      const found = await store.read((r) => r.suppressedKeys(['k-mail', 'k-user', 'k-other']))
      expect([...found].sort()).toEqual(['k-mail', 'k-user'])
      expect(await store.read((r) => r.suppressedKeys([]))).toEqual([])
      expect(await store.transaction((tx) => tx.unsuppress(['k-user', 'k-other']))).toBe(1)
      expect(await store.read((r) => r.suppressedKeys(['k-user', 'k-mail']))).toEqual(['k-mail'])
    })

    it('rolls a suppression back with its transaction', async () => {
      await expect(
        store.transaction(async (tx) => {
          await tx.suppress([{ key: 'k', kind: 'userId', reason: 'requested', at: 1 }])
          throw new Boom('rolled back')
        }),
      ).rejects.toBeInstanceOf(Boom)
      expect(await store.read((r) => r.suppressedKeys(['k']))).toEqual([])
    })

    it("erases one profile's events and keeps everyone else's", async () => {
      await store.transaction(async (tx) => {
        await tx.appendEvent(event('gone', 1, 'a'))
        await tx.appendEvent(event('gone', 2, 'b'))
        await tx.appendEvent(event('kept', 3, 'c'))
      })
      expect(await store.transaction((tx) => tx.deleteEvents('gone'))).toBe(2)
      expect(await store.read((r) => r.events('gone', 10))).toEqual([])
      expect((await store.read((r) => r.events('kept', 10))).map((e) => e.name)).toEqual(['c'])
    })

    it('erases the merge-log entries naming a profile, user id or device, and no others', async () => {
      const entry = (
        into: string,
        from: string | null,
        userId: string | null,
        anon: string | null,
      ): MergeLogEntry => ({ ...logEntry(into, from, 'merged'), userId, anonymousId: anon })
      await store.transaction(async (tx) => {
        await tx.appendMergeLog(entry('gone', null, null, null))
        await tx.appendMergeLog(entry('other', 'gone', null, null))
        await tx.appendMergeLog(entry('old-anon', null, 'U-gone', null))
        await tx.appendMergeLog(entry('older', null, null, 'A-gone'))
        await tx.appendMergeLog(entry('kept', 'kept-too', 'U-kept', 'A-kept'))
      })
      const removed = await store.transaction((tx) =>
        tx.deleteMergeLog({ profileIds: ['gone'], userIds: ['U-gone'], anonymousIds: ['A-gone'] }),
      )
      expect(removed).toBe(4)
      await store.read(async (r) => {
        expect(await r.mergeLog('gone')).toEqual([])
        expect(await r.mergeLog('old-anon')).toEqual([])
        expect(await r.mergeLog('older')).toEqual([])
        expect(await r.mergeLog('kept')).toHaveLength(1)
      })
    })

    describe('readNeighbourhood', () => {
      const account: Account = {
        id: 'acc',
        traits: traitsToTree({ name: 'Acme' }, 1),
        createdAt: 1,
        updatedAt: 1,
      }
      const known: Profile = {
        ...profile('p1', 'U'),
        account: { id: 'acc', source: 'company', at: 2 },
      }
      const loner = newProfile('p2', null, 3)
      beforeEach(async () => {
        await store.transaction(async (tx) => {
          await tx.putAccount(account)
          await tx.linkAccountKey('id:acme', 'acc')
          await tx.linkAccountKey('domain:acme.example', 'acc')
          await tx.putProfile(known)
          await tx.putProfile(loner)
          // Linked to an account that is not there (as imported data might have it).
          await tx.putProfile({
            ...newProfile('p3', 'W', 4),
            account: { id: 'gone', source: 'email', at: 4 },
          })
          await tx.linkAnonymousId('B', 'p1', 20)
          await tx.linkAnonymousId('A', 'p1', 10)
          await tx.linkAnonymousId('C', 'p2', 5)
          // A device whose profile is gone.
          await tx.linkAnonymousId('D', 'gone', 5)
          await tx.appendMergeLog(logEntry('p1', null, 'identified'))
          await tx.appendMergeLog(logEntry('p1', 'old', 'merged'))
          await tx.appendMergeLog(logEntry('p2', 'p1', 'detached'))
        })
      })
      const everythingOfP1 = {
        profile: known,
        anonymousIds: ['A', 'B'],
        mergeLog: [
          logEntry('p1', null, 'identified'),
          logEntry('p1', 'old', 'merged'),
          logEntry('p2', 'p1', 'detached'),
        ],
        account,
        accountKeys: ['id:acme', 'domain:acme.example'],
      }

      it('reads a profile named by its user id or a device, with its devices, merge log and account', async () => {
        expect(await store.readNeighbourhood({ kind: 'userId', value: 'U' })).toEqual(
          everythingOfP1,
        )
        expect(await store.readNeighbourhood({ kind: 'anonymousId', value: 'B' })).toEqual(
          everythingOfP1,
        )
        expect(await store.readNeighbourhood({ kind: 'anonymousId', value: 'C' })).toEqual({
          profile: loner,
          anonymousIds: ['C'],
          mergeLog: [logEntry('p2', 'p1', 'detached')],
          account: undefined,
          accountKeys: [],
        })
        expect(
          (await store.readNeighbourhood({ kind: 'userId', value: 'W' }))?.account,
        ).toBeUndefined()
      })

      it('answers undefined for a key that names no profile, NUL included', async () => {
        for (const key of [
          { kind: 'userId', value: 'nobody' },
          { kind: 'userId', value: 'A' },
          { kind: 'anonymousId', value: 'U' },
          { kind: 'anonymousId', value: 'D' },
          { kind: 'userId', value: 'U\u0000' },
          { kind: 'anonymousId', value: '\u0000' },
        ] as const) {
          expect(await store.readNeighbourhood(key)).toBeUndefined()
        }
      })

      it('answers lookups that arrive together each with its own profile', async () => {
        const keys = Array.from({ length: 90 }, (_, n) =>
          n % 3 === 0
            ? ({ kind: 'userId', value: n % 2 ? 'U' : 'nobody' } as const)
            : ({ kind: 'anonymousId', value: n % 2 ? 'C' : 'A' } as const),
        )
        const found = await Promise.all(keys.map((key) => store.readNeighbourhood(key)))
        expect(found.map((entry) => entry?.profile.id)).toEqual(
          keys.map((key) =>
            key.kind === 'userId'
              ? key.value === 'U'
                ? 'p1'
                : undefined
              : key.value === 'C'
                ? 'p2'
                : 'p1',
          ),
        )
      })
    })

    it('answers ping while open', async () => {
      await expect(store.ping()).resolves.toBeUndefined()
    })
  })
  describeMeasurementContract(engine, factory)
  describeConsoleReadsContract(engine, factory)
  describeTransferContract(engine, factory)
  describeAuthoringContract(engine, factory)
}
