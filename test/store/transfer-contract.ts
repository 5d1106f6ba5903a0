import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { newProfile } from '../../server/src/profile/profile.ts'
import type { StoreRecord } from '../../server/src/store/store-records.ts'
import type { Store } from '../../server/src/store/store.ts'
import { traitsToTree } from '../../server/src/traits/trait-tree.ts'
import { readRecords } from '../../server/src/transfer/store-stream.ts'
import { writeInBatches } from '../../server/src/transfer/write-batches.ts'
import type { StoreFactory } from './store-contract.ts'
import { publishConfig } from '../../server/src/config-versions/publish-config.ts'
import { headlineConfig } from '../helpers/config-documents.ts'

/** One record of every kind, and ties that only insertion order keeps apart. */
async function seed(store: Store): Promise<void> {
  await store.transaction(async (tx) => {
    for (const id of ['p2', 'p1', 'p3']) {
      await tx.putProfile({
        ...newProfile(id, id === 'p1' ? 'U1' : null, 1_000),
        account: id === 'p3' ? null : { id: 'acc-1', source: 'company', at: 1_000 },
        traits: traitsToTree({ email: `${id}@example.com`, nested: { deep: [1, 2] } }, 1_000),
      })
    }
    await tx.putAccount({
      id: 'acc-1',
      traits: traitsToTree({ plan: 'pro' }, 7),
      createdAt: 7,
      updatedAt: 8,
    })
    await tx.linkAccountKey('id:acme', 'acc-1')
    await tx.linkAccountKey('domain:acme.com', 'acc-1')
    // Same linked_at: the order they were linked in must survive the trip.
    for (const device of ['Z', 'A', 'M']) await tx.linkAnonymousId(device, 'p1', 50)
    await tx.linkAnonymousId('B', 'p2', 40)
    for (const kind of ['identified', 'merged'] as const) {
      await tx.appendMergeLog({
        at: 60,
        kind,
        fromProfileId: kind === 'merged' ? 'p2' : null,
        intoProfileId: 'p1',
        anonymousId: 'A',
        userId: 'U1',
        reason: 'test',
        messageId: null,
      })
    }
    for (const name of ['b', 'a']) {
      await tx.appendEvent({
        profileId: 'p1',
        type: 'track',
        name,
        at: 70,
        receivedAt: 71,
        messageId: `m-${name}`,
        properties: { n: name, list: [1, { x: null }] },
      })
    }
    await tx.recordImpression({
      profileId: 'p1',
      experienceId: 'hero',
      variation: 'v1',
      control: false,
      at: 80,
    })
    await tx.recordImpression({
      profileId: 'p2',
      experienceId: 'hero',
      variation: 'control',
      control: true,
      at: 81,
    })
    await tx.recordConversion({ profileId: 'p1', experienceId: 'hero', goal: 'signup', at: 90 })
    await tx.suppress([{ key: 'k1', kind: 'email', reason: 'requested', at: 95 }])
  })
  // The console's authoring: versions, their audit entries, people.
  await store.transaction(async (tx) => {
    for (const headline of ['First', 'Second']) {
      await publishConfig(tx, {
        author: 'ann',
        at: 100,
        note: headline,
        document: headlineConfig(headline),
        baseVersion: headline === 'First' ? null : 1,
        kind: 'publish',
      })
    }
    await tx.putConsoleUser({
      name: 'ann',
      role: 'editor',
      passwordHash: 'scrypt$x',
      createdAt: 1,
      updatedAt: 2,
    })
  })
}

async function all(store: Store, pageSize?: number): Promise<StoreRecord[]> {
  const records: StoreRecord[] = []
  for await (const record of readRecords(store, pageSize)) records.push(record)
  return records
}

/** Export and import: every engine reads its records out and writes them into another as is. */
export function describeTransferContract(engine: string, factory: StoreFactory): void {
  describe(`Store transfer contract: ${engine}`, () => {
    const opened: Store[] = []
    const open = async () => {
      const store = await factory.open()
      opened.push(store)
      return store
    }
    beforeEach(() => {
      opened.length = 0
    })
    afterEach(async () => {
      for (const store of opened) await (factory.dispose ?? ((s: Store) => s.close()))(store)
    })

    it('exports every kind of record, the same at any page size', async () => {
      const store = await open()
      await seed(store)
      const records = await all(store)
      const kinds = records.map((record) => record.kind)
      expect(new Set(kinds)).toEqual(
        new Set([
          'profile',
          'account',
          'device',
          'mergeLog',
          'event',
          'impression',
          'conversion',
          'suppression',
          'configVersion',
          'auditEntry',
          'consoleUser',
        ]),
      )
      expect(records.filter((r) => r.kind === 'profile')).toHaveLength(3)
      const account = records.find((r) => r.kind === 'account')
      expect(account?.data).toMatchObject({ id: 'acc-1', keys: ['id:acme', 'domain:acme.com'] })
      expect(await all(store, 1)).toEqual(records)
      expect(await all(store, 2)).toEqual(records)
    })

    it('imports an export into an empty store that then reads as the original', async () => {
      const source = await open()
      await seed(source)
      const target = await open()
      const counts = await writeInBatches(target, readRecords(source, 2), 3)
      expect(counts).toMatchObject({ profile: 3, device: 4, mergeLog: 2, event: 2, impression: 2 })
      expect(await all(target)).toEqual(await all(source))
      const reads = (store: Store) =>
        store.read(async (r) => ({
          profile: await r.profile('p1'),
          byUser: await r.profileIdByUserId('U1'),
          devices: await r.anonymousIds('p1'),
          account: await r.account('acc-1'),
          byKey: await r.accountIdByKey('domain:acme.com'),
          mergeLog: await r.mergeLog('p1'),
          events: await r.events('p1', 10),
          impressions: await r.impressions('p1'),
          counts: await r.experienceCounts('hero', 'signup', 1_000),
          suppressed: await r.suppressedKeys(['k1', 'k2']),
          config: await r.latestConfigVersion(),
          audit: await r.auditLog(null, 10),
          users: await r.consoleUsers(),
        }))
      const original = await reads(source)
      expect(original.devices).toEqual(['Z', 'A', 'M'])
      expect(original.config?.number).toBe(2)
      expect(original.audit).toHaveLength(2)
      expect(await reads(target)).toEqual(original)
    })

    it('writes nothing of a batch that fails', async () => {
      const store = await open()
      const good: StoreRecord = {
        kind: 'suppression',
        data: { key: 'k1', kind: 'email', reason: 'requested', at: 1 },
      }
      await expect(
        store.transaction(async (tx) => {
          await tx.importRecords([good])
          throw new Error('boom')
        }),
      ).rejects.toThrow('boom')
      expect(await all(store)).toEqual([])
    })
  })
}
