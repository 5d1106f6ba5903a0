import { describe, expect, it } from 'vitest'
import { identifyEvent } from '../../server/src/pipeline/identify-event.ts'
import { ingest } from '../../server/src/pipeline/ingest.ts'
import type { Store } from '../../server/src/store/store.ts'
import type { StoreFactory } from './store-contract.ts'

const day = 86_400_000

/**
 * The measurement part of the Store contract (impressions, conversions, per-arm counts, merges
 * and deletes); every engine runs it through `describeStoreContract`.
 */
export function describeMeasurementContract(engine: string, factory: StoreFactory): void {
  describe(`Store contract, measurement: ${engine}`, () => {
    const impression = (profileId: string, variation: string, at: number) => ({
      profileId,
      experienceId: 'e',
      variation,
      control: variation === 'control',
      at,
    })

    it('records one impression per profile and experience', async () => {
      const store = await factory.open()
      const first = await store.transaction((tx) => tx.recordImpression(impression('p1', 'a', 10)))
      const second = await store.transaction((tx) => tx.recordImpression(impression('p1', 'b', 20)))
      expect([first, second]).toEqual([true, false])
      expect(await store.read((r) => r.impressions('p1'))).toEqual([impression('p1', 'a', 10)])
      await (factory.dispose ?? ((s: Store) => s.close()))(store)
    })

    it('records one conversion per profile, experience and goal', async () => {
      const store = await factory.open()
      const conversion = { profileId: 'p1', experienceId: 'e', goal: 'Signed Up', at: 50 }
      const results = await store.transaction(async (tx) => [
        await tx.recordConversion(conversion),
        await tx.recordConversion({ ...conversion, at: 60 }),
        await tx.recordConversion({ ...conversion, goal: 'Paid' }),
      ])
      expect(results).toEqual([true, false, true])
      await (factory.dispose ?? ((s: Store) => s.close()))(store)
    })

    it('counts visitors and conversions per arm within the window after the impression', async () => {
      const store = await factory.open()
      await store.transaction(async (tx) => {
        await tx.recordImpression(impression('c1', 'control', 0))
        await tx.recordImpression(impression('c2', 'control', 0))
        await tx.recordImpression(impression('a1', 'a', 0))
        await tx.recordImpression(impression('a2', 'a', 0))
        await tx.recordImpression(impression('a3', 'a', 0))
        await tx.recordImpression({ ...impression('x1', 'a', 0), experienceId: 'other' })
        await tx.recordConversion({ profileId: 'c1', experienceId: 'e', goal: 'g', at: 7 * day })
        await tx.recordConversion({ profileId: 'a1', experienceId: 'e', goal: 'g', at: 1 })
        await tx.recordConversion({
          profileId: 'a2',
          experienceId: 'e',
          goal: 'g',
          at: 7 * day + 1,
        })
        await tx.recordConversion({ profileId: 'a3', experienceId: 'e', goal: 'other-goal', at: 1 })
      })
      const counts = await store.read((r) => r.experienceCounts('e', 'g', 7 * day))
      expect(counts).toEqual([
        { variation: 'control', control: true, visitors: 2, conversions: 1 },
        { variation: 'a', control: false, visitors: 3, conversions: 1 },
      ])
      await (factory.dispose ?? ((s: Store) => s.close()))(store)
    })

    it('leaves out impressions and conversions after `until` (a concluded experience’s frozen report)', async () => {
      const store = await factory.open()
      await store.transaction(async (tx) => {
        await tx.recordImpression(impression('a1', 'a', 10))
        await tx.recordImpression(impression('a2', 'a', 10))
        await tx.recordImpression(impression('late', 'a', 101))
        await tx.recordConversion({ profileId: 'a1', experienceId: 'e', goal: 'g', at: 100 })
        await tx.recordConversion({ profileId: 'a2', experienceId: 'e', goal: 'g', at: 101 })
        await tx.recordConversion({ profileId: 'late', experienceId: 'e', goal: 'g', at: 102 })
      })
      expect(await store.read((r) => r.experienceCounts('e', 'g', day, 100))).toEqual([
        { variation: 'a', control: false, visitors: 2, conversions: 1 },
      ])
      expect(await store.read((r) => r.experienceCounts('e', 'g', day))).toEqual([
        { variation: 'a', control: false, visitors: 3, conversions: 3 },
      ])
      expect(await store.read((r) => r.experienceDailyCounts('e', 'g', day, 100))).toEqual([
        { day: '1970-01-01', variation: 'a', control: false, visitors: 2, conversions: 1 },
      ])
      await (factory.dispose ?? ((s: Store) => s.close()))(store)
    })

    it('deletes a profile’s impressions and conversions with the profile', async () => {
      const store = await factory.open()
      await store.transaction(async (tx) => {
        await tx.recordImpression(impression('gone', 'a', 1))
        await tx.recordConversion({ profileId: 'gone', experienceId: 'e', goal: 'g', at: 2 })
        await tx.deleteProfile('gone')
      })
      expect(await store.read((r) => r.impressions('gone'))).toEqual([])
      expect(await store.read((r) => r.experienceCounts('e', 'g', 7 * day))).toEqual([])
      await (factory.dispose ?? ((s: Store) => s.close()))(store)
    })

    it('answers a call that asks for its visitor with the profile it wrote and its impressions', async () => {
      const store = await factory.open()
      let next = 0
      const deps = {
        store,
        newId: () => `00000000-0000-4000-8000-${String((next += 1)).padStart(12, '0')}`,
      }
      const call = (at: number) =>
        identifyEvent({
          channel: 'browser',
          source: 'test',
          anonymousId: 'device-1',
          userId: 'ann',
          at,
        })
      const first = await ingest(call(10), deps)
      expect(first).not.toHaveProperty('visitor')
      await store.transaction((tx) => tx.recordImpression(impression(first.profileId, 'a', 20)))
      const { visitor } = await ingest(call(30), deps, { withVisitor: true })
      expect(visitor?.profile).toEqual(await store.read((r) => r.profile(first.profileId)))
      expect(visitor?.impressions).toEqual([impression(first.profileId, 'a', 20)])
      await (factory.dispose ?? ((s: Store) => s.close()))(store)
    })

    it('moves impressions and conversions with a merge; the receiving profile keeps its own', async () => {
      const store = await factory.open()
      await store.transaction(async (tx) => {
        await tx.recordImpression(impression('known', 'a', 100))
        await tx.recordImpression(impression('phone', 'b', 50))
        await tx.recordImpression({ ...impression('phone', 'b', 50), experienceId: 'only-phone' })
        await tx.recordConversion({ profileId: 'phone', experienceId: 'e', goal: 'g', at: 60 })
        await tx.moveProfileData('phone', 'known')
      })
      const rows = await store.read((r) => r.impressions('known'))
      expect(rows.map((row) => [row.experienceId, row.variation])).toEqual([
        ['only-phone', 'b'],
        ['e', 'a'],
      ])
      expect(await store.read((r) => r.impressions('phone'))).toEqual([])
      const again = await store.transaction((tx) =>
        tx.recordConversion({ profileId: 'known', experienceId: 'e', goal: 'g', at: 70 }),
      )
      expect(again).toBe(false)
      await (factory.dispose ?? ((s: Store) => s.close()))(store)
    })
  })
}
