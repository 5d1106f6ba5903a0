import { describe, expect, it } from 'vitest'
import { newProfile, type Profile } from '../../server/src/profile/profile.ts'
import type { Store } from '../../server/src/store/store.ts'
import { traitsToTree } from '../../server/src/traits/trait-tree.ts'
import type { StoreFactory } from './store-contract.ts'

const day = 86_400_000

function person(id: string, email: string, accountId: string | null): Profile {
  return {
    ...newProfile(id, null, 1_000),
    account: accountId === null ? null : { id: accountId, source: 'company', at: 1_000 },
    traits: traitsToTree({ email }, 1_000),
  }
}

/** The console's reads of the Store contract; every engine runs it through `describeStoreContract`. */
export function describeConsoleReadsContract(engine: string, factory: StoreFactory): void {
  describe(`Store contract, console reads: ${engine}`, () => {
    const withStore = async (fn: (store: Store) => Promise<void>) => {
      const store = await factory.open()
      try {
        await fn(store)
      } finally {
        await (factory.dispose ?? ((s: Store) => s.close()))(store)
      }
    }

    it('counts exposures and conversions per UTC day of the impression and per arm', () =>
      withStore(async (store) => {
        const at = Date.UTC(2026, 5, 1, 23, 0)
        await store.transaction(async (tx) => {
          for (const [profileId, variation, when] of [
            ['c1', 'control', at],
            ['a1', 'a', at],
            ['a2', 'a', at + 2 * 3_600_000],
            ['a3', 'a', at + 2 * 3_600_000],
          ] as const) {
            await tx.recordImpression({
              profileId,
              experienceId: 'e',
              variation,
              control: variation === 'control',
              at: when,
            })
          }
          await tx.recordConversion({ profileId: 'a2', experienceId: 'e', goal: 'g', at: at + day })
          await tx.recordConversion({
            profileId: 'a1',
            experienceId: 'e',
            goal: 'g',
            at: at + 9 * day,
          })
        })
        expect(await store.read((r) => r.experienceDailyCounts('e', 'g', 7 * day))).toEqual([
          { day: '2026-06-01', variation: 'control', control: true, visitors: 1, conversions: 0 },
          { day: '2026-06-01', variation: 'a', control: false, visitors: 1, conversions: 0 },
          { day: '2026-06-02', variation: 'a', control: false, visitors: 2, conversions: 1 },
        ])
      }))

    it('finds profiles by account, by a text in their traits, and samples them in id order', () =>
      withStore(async (store) => {
        await store.transaction(async (tx) => {
          await tx.putProfile(person('p3', 'Cy@Acme.com', 'acme'))
          await tx.putProfile(person('p1', 'ann@acme.com', 'acme'))
          await tx.putProfile(person('p2', 'bo_b@example.org', null))
        })
        const found = await store.read(async (r) => ({
          byAccount: await r.profileIdsByAccount('acme', 10),
          limited: await r.profileIdsByAccount('acme', 1),
          mentioning: (await r.profilesMentioning('cy@acme.COM', 10)).map((p) => p.id),
          // `_` and `%` are literal text, not wildcards.
          wildcard: (await r.profilesMentioning('bo%b', 10)).map((p) => p.id),
          underscore: (await r.profilesMentioning('bo_b', 10)).map((p) => p.id),
          sample: await r.profileSample(2),
        }))
        expect(found.byAccount).toEqual(['p1', 'p3'])
        expect(found.limited).toEqual(['p1'])
        expect(found.mentioning).toEqual(['p3'])
        expect(found.wildcard).toEqual([])
        expect(found.underscore).toEqual(['p2'])
        expect(found.sample.total).toBe(3)
        expect(found.sample.profiles.map((p) => p.id)).toEqual(['p1', 'p2'])
      }))
  })
}
