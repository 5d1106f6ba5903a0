import { describe, expect, it } from 'vitest'
import type { ConfigVersion } from '../../server/src/config-versions/config-version.ts'
import { AppError } from '../../server/src/errors/app-error.ts'
import type { StoreChange } from '../../server/src/store/change-feed.ts'
import type { Store } from '../../server/src/store/store.ts'
import type { StoreFactory } from './store-contract.ts'

/** A config document as the console would send it: defaults left out. */
const document = (headline: string) => ({
  segments: [{ id: 'all', rule: { attribute: 'visitor.pageViews', operator: 'gte', value: 0 } }],
  experiences: [
    {
      id: 'hero',
      segments: ['all'],
      variations: [{ id: 'v1', content: { 'hero-title': headline } }],
    },
  ],
})

const version = (number: number, headline = `Headline ${number}`): ConfigVersion =>
  ({
    number,
    kind: number === 1 ? 'seed' : 'publish',
    author: 'ann@example.com',
    at: 1_000 * number,
    note: `note ${number}`,
    baseVersion: number === 1 ? null : number - 1,
    restoredFrom: null,
    document: document(headline),
  }) as unknown as ConfigVersion

/**
 * The authoring part of the Store contract: config versions (validated at the boundary), the
 * audit log and console users. Every engine runs it through `describeStoreContract`.
 */
export function describeAuthoringContract(engine: string, factory: StoreFactory): void {
  describe(`Store contract, authoring: ${engine}`, () => {
    const withStore = async (test: (store: Store) => Promise<void>) => {
      const store = await factory.open()
      try {
        await test(store)
      } finally {
        await (factory.dispose ?? ((s: Store) => s.close()))(store)
      }
    }

    it('has no config version in a new store', () =>
      withStore(async (store) => {
        expect(await store.read((r) => r.latestConfigVersion())).toBeUndefined()
        expect(await store.read((r) => r.latestConfigVersionNumber())).toBeNull()
        expect(await store.read((r) => r.configVersions(null, 10))).toEqual([])
      }))

    it('stores versions as the loader reads them (defaults filled in) and lists them newest first, paged', () =>
      withStore(async (store) => {
        await store.transaction(async (tx) => {
          for (const n of [1, 2, 3]) await tx.appendConfigVersion(version(n))
        })
        const latest = await store.read((r) => r.latestConfigVersion())
        expect(latest).toMatchObject({
          number: 3,
          kind: 'publish',
          author: 'ann@example.com',
          at: 3_000,
          note: 'note 3',
          baseVersion: 2,
          restoredFrom: null,
        })
        expect(latest?.document.experiences[0]).toMatchObject({
          status: 'running',
          holdout: 0,
          priority: 0,
          variations: [{ id: 'v1', weight: 1, paused: false }],
        })
        expect(latest?.document.attributionWindowDays).toBe(7)
        expect(await store.read((r) => r.latestConfigVersionNumber())).toBe(3)
        expect((await store.read((r) => r.configVersion(1)))?.kind).toBe('seed')
        expect(await store.read((r) => r.configVersion(9))).toBeUndefined()
        const first = await store.read((r) => r.configVersions(null, 2))
        expect(first.map((v) => v.number)).toEqual([3, 2])
        const next = await store.read((r) => r.configVersions(2, 2))
        expect(next.map((v) => v.number)).toEqual([1])
      }))

    it('refuses a config the loader refuses, with the loader’s paths, and writes nothing of that transaction', () =>
      withStore(async (store) => {
        const broken = version(1)
        ;(
          broken.document as unknown as { experiences: { holdout: unknown }[] }
        ).experiences[0]!.holdout = 'half'
        const failure = await store
          .transaction(async (tx) => {
            await tx.appendAuditEntry({
              at: 1,
              actor: 'ann',
              action: 'publish',
              fromVersion: null,
              toVersion: 1,
              subject: null,
              summary: 'should roll back',
            })
            await tx.appendConfigVersion(broken)
          })
          .catch((error: unknown) => error)
        expect(failure).toBeInstanceOf(AppError)
        expect(failure).toMatchObject({
          code: 'invalid_config',
          path: 'experiences[0].holdout',
          details: {
            issues: [
              {
                path: 'experiences[0].holdout',
                at: ['experiences', 0, 'holdout'],
                message: 'expected a number',
              },
            ],
          },
        })
        expect(await store.read((r) => r.latestConfigVersion())).toBeUndefined()
        expect(await store.read((r) => r.auditLog(null, 10))).toEqual([])
      }))

    it('refuses a second version with a taken number and keeps the first', () =>
      withStore(async (store) => {
        await store.transaction((tx) => tx.appendConfigVersion(version(1, 'First')))
        await expect(
          store.transaction((tx) => tx.appendConfigVersion(version(1, 'Second'))),
        ).rejects.toThrow()
        const kept = await store.read((r) => r.configVersion(1))
        expect(kept?.document.experiences[0]?.variations[0]?.content['hero-title']).toBe('First')
      }))

    it('tells the change feed that the config changed', () =>
      withStore(async (store) => {
        const changes: StoreChange[] = []
        const stop = store.onChange((change) => changes.push(change))
        await store.transaction((tx) => tx.appendConfigVersion(version(1)))
        stop()
        expect(changes).toContainEqual({ kind: 'changed', origin: 'local', keys: ['config'] })
      }))

    it('keeps the audit log newest first, paged by sequence', () =>
      withStore(async (store) => {
        await store.transaction(async (tx) => {
          for (const n of [1, 2, 3]) {
            await tx.appendAuditEntry({
              at: n,
              actor: `user-${n}`,
              action: n === 3 ? 'user.add' : 'publish',
              fromVersion: n === 3 ? null : n - 1,
              toVersion: n === 3 ? null : n,
              subject: n === 3 ? 'bob' : null,
              summary: `entry ${n}`,
            })
          }
        })
        const page = await store.read((r) => r.auditLog(null, 2))
        expect(page.map((e) => e.summary)).toEqual(['entry 3', 'entry 2'])
        expect(page[0]).toMatchObject({
          at: 3,
          actor: 'user-3',
          action: 'user.add',
          fromVersion: null,
          toVersion: null,
          subject: 'bob',
        })
        expect(page[1]).toMatchObject({ fromVersion: 1, toVersion: 2, subject: null })
        const rest = await store.read((r) => r.auditLog(page[1]?.seq ?? 0, 2))
        expect(rest.map((e) => e.summary)).toEqual(['entry 1'])
      }))

    it('adds, replaces, lists and removes console users', () =>
      withStore(async (store) => {
        const ann = {
          name: 'ann@example.com',
          role: 'editor' as const,
          passwordHash: 'scrypt$1',
          createdAt: 1,
          updatedAt: 1,
        }
        await store.transaction(async (tx) => {
          await tx.putConsoleUser(ann)
          await tx.putConsoleUser({ ...ann, name: 'bob', role: 'viewer', passwordHash: 'scrypt$2' })
        })
        await store.transaction((tx) =>
          tx.putConsoleUser({ ...ann, role: 'viewer', passwordHash: 'scrypt$3', updatedAt: 5 }),
        )
        expect(await store.read((r) => r.consoleUser('ann@example.com'))).toEqual({
          ...ann,
          role: 'viewer',
          passwordHash: 'scrypt$3',
          updatedAt: 5,
        })
        expect((await store.read((r) => r.consoleUsers())).map((u) => u.name)).toEqual([
          'ann@example.com',
          'bob',
        ])
        expect(await store.transaction((tx) => tx.deleteConsoleUser('bob'))).toBe(true)
        expect(await store.transaction((tx) => tx.deleteConsoleUser('bob'))).toBe(false)
        expect(await store.read((r) => r.consoleUser('bob'))).toBeUndefined()
      }))

    it('refuses a user with a bad name or role', () =>
      withStore(async (store) => {
        const user = {
          name: 'ok',
          role: 'editor' as const,
          passwordHash: 'x',
          createdAt: 1,
          updatedAt: 1,
        }
        await expect(
          store.transaction((tx) => tx.putConsoleUser({ ...user, name: 'two words' })),
        ).rejects.toThrow(/user name/)
        await expect(
          store.transaction((tx) => tx.putConsoleUser({ ...user, role: 'admin' } as never)),
        ).rejects.toThrow(/role/)
        expect(await store.read((r) => r.consoleUsers())).toEqual([])
      }))
  })
}
