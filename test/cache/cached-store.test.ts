import { describe, expect, it } from 'vitest'
import { CachedStore } from '../../server/src/cache/cached-store.ts'
import { newProfile, type Profile } from '../../server/src/profile/profile.ts'
import { MemoryStore } from '../../server/src/store/memory/memory-store.ts'
import type { StoreReader } from '../../server/src/store/store.ts'

async function seeded(maxBytes = 1_000_000) {
  const store = new CachedStore(new MemoryStore(), { maxBytes })
  await store.transaction(async (tx) => {
    await tx.putProfile(newProfile('p1', 'user-1', 1))
    await tx.linkAnonymousId('device-1', 'p1', 1)
  })
  return store
}

/** A memory store whose reads can be held after fetching, to order a read around a write. */
class GatedStore extends MemoryStore {
  gate: Promise<void> | undefined

  override async read<T>(fn: (reader: StoreReader) => Promise<T>): Promise<T> {
    const value = await super.read(fn)
    await this.gate
    return value
  }
}

/** A memory store that counts its read sessions. */
class CountingStore extends MemoryStore {
  sessions = 0

  override read<T>(fn: (reader: StoreReader) => Promise<T>): Promise<T> {
    this.sessions += 1
    return super.read(fn)
  }
}

const readProfile = (store: CachedStore, id = 'p1') => store.read((r) => r.profile(id))

describe('CachedStore', () => {
  it('answers repeated reads from the cache', async () => {
    const store = await seeded()
    await readProfile(store)
    await readProfile(store)
    await store.read((r) => r.profileIdByAnonymousId('device-1'))
    await store.read((r) => r.profileIdByAnonymousId('device-1'))
    expect(store.stats).toMatchObject({ hits: 2, misses: 2, entries: 2 })
  })

  it('drops a profile from the cache when a transaction writes it', async () => {
    const store = await seeded()
    await readProfile(store)
    await store.transaction(async (tx) => {
      const profile = (await tx.profile('p1')) as Profile
      await tx.putProfile({ ...profile, updatedAt: 99 })
    })
    expect((await readProfile(store))?.updatedAt).toBe(99)
  })

  it('drops device links moved by a merge, so the device finds its new profile', async () => {
    const store = await seeded()
    await store.transaction(async (tx) => {
      await tx.putProfile(newProfile('p2', null, 2))
      await tx.linkAnonymousId('device-2', 'p2', 2)
    })
    expect(await store.read((r) => r.profileIdByAnonymousId('device-2'))).toBe('p2')
    await store.transaction(async (tx) => {
      await tx.moveProfileData('p2', 'p1')
      await tx.deleteProfile('p2')
    })
    expect(await store.read((r) => r.profileIdByAnonymousId('device-2'))).toBe('p1')
    expect(await readProfile(store, 'p2')).toBeUndefined()
  })

  it('drops impressions when one is recorded', async () => {
    const store = await seeded()
    expect(await store.read((r) => r.impressions('p1'))).toEqual([])
    await store.transaction((tx) =>
      tx.recordImpression({
        profileId: 'p1',
        experienceId: 'e',
        variation: 'a',
        control: false,
        at: 5,
      }),
    )
    expect(await store.read((r) => r.impressions('p1'))).toHaveLength(1)
  })

  it('does not refill the cache with a value read before a write committed', async () => {
    const inner = new GatedStore()
    const store = new CachedStore(inner, { maxBytes: 1_000_000 })
    await store.transaction((tx) => tx.putProfile(newProfile('p1', null, 1)))
    // The read fetches the old profile and is held; a write commits; then the read completes.
    let release = () => {}
    inner.gate = new Promise((done) => (release = done))
    const pending = readProfile(store)
    await store.transaction(async (tx) => {
      const profile = (await tx.profile('p1')) as Profile
      await tx.putProfile({ ...profile, updatedAt: 42 })
    })
    release()
    expect((await pending)?.updatedAt).toBe(1)
    inner.gate = undefined
    expect((await readProfile(store))?.updatedAt).toBe(42)
  })

  it('stays within its byte bound, evicting the least recently used', async () => {
    const store = new CachedStore(new MemoryStore(), { maxBytes: 2_000 })
    await store.transaction(async (tx) => {
      for (let i = 0; i < 50; i += 1) await tx.putProfile(newProfile(`p${i}`, null, i))
    })
    for (let i = 0; i < 50; i += 1) await readProfile(store, `p${i}`)
    expect(store.stats.bytes).toBeLessThanOrEqual(2_000)
    expect(store.stats.entries).toBeGreaterThan(0)
    expect(store.stats.entries).toBeLessThan(50)
  })

  it('with 0 bytes reads straight from the store', async () => {
    const store = await seeded(0)
    await readProfile(store)
    await readProfile(store)
    expect(store.stats).toMatchObject({ hits: 0, entries: 0 })
  })

  it('reads what it does not keep in one session of the engine, with any miss of that read', async () => {
    const inner = new CountingStore()
    const store = new CachedStore(inner, { maxBytes: 1_000_000 })
    await store.transaction(async (tx) => {
      await tx.putProfile(newProfile('p1', 'user-1', 1))
      await tx.linkAnonymousId('device-1', 'p1', 1)
    })
    const lookup = () =>
      store.read(async (r) => {
        const id = (await r.profileIdByUserId('user-1')) ?? ''
        return [await r.profile(id), await r.anonymousIds(id), await r.mergeLog(id)] as const
      })
    const [profile, devices] = await lookup()
    expect([profile?.id, devices]).toEqual(['p1', ['device-1']])
    expect(inner.sessions).toBe(1)
    // Its profile was kept: the next lookup reads the rest in one session again.
    await lookup()
    expect(inner.sessions).toBe(2)
    expect(store.stats).toMatchObject({ hits: 1, misses: 1 })
    // Cached reads alone open no session.
    await readProfile(store)
    expect(inner.sessions).toBe(2)
  })

  it('reads a cold visitor’s device, profile and impressions in one session of the engine', async () => {
    const inner = new CountingStore()
    const store = new CachedStore(inner, { maxBytes: 1_000_000 })
    await store.transaction(async (tx) => {
      await tx.putProfile(newProfile('p1', 'user-1', 1))
      await tx.linkAnonymousId('device-1', 'p1', 1)
    })
    const visitor = () =>
      store.read(async (r) => {
        const id = (await r.profileIdByAnonymousId('device-1')) ?? ''
        return [await r.profile(id), await r.impressions(id)] as const
      })
    const [profile] = await visitor()
    expect(profile?.id).toBe('p1')
    expect(store.stats).toMatchObject({ hits: 0, misses: 3 })
    expect(inner.sessions).toBe(1)
    // All three kept: the same read again opens no session.
    await visitor()
    expect(inner.sessions).toBe(1)
  })

  it('does not keep what a session read after a write committed', async () => {
    const store = await seeded()
    const read = store.read(async (r) => {
      await r.profileIdByUserId('user-1') // opens the session: its view is from now
      await store.transaction(async (tx) => {
        const profile = (await tx.profile('p1')) as Profile
        await tx.putProfile({ ...profile, updatedAt: 42 })
      })
      return r.profile('p1')
    })
    await read
    expect((await readProfile(store))?.updatedAt).toBe(42)
  })

  it('invalidate() drops named entries, for writes made by other processes', async () => {
    const store = await seeded()
    await readProfile(store)
    store.invalidate(['profile:p1'])
    await readProfile(store)
    expect(store.stats.misses).toBe(2)
  })
})
