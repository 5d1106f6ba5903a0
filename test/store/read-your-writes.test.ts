import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { CachedStore } from '../../server/src/cache/cached-store.ts'
import { identifyEvent } from '../../server/src/pipeline/identify-event.ts'
import { ingest } from '../../server/src/pipeline/ingest.ts'
import { SqliteStore } from '../../server/src/store/sqlite/sqlite-store.ts'
import { materializeTraits } from '../../server/src/traits/trait-tree.ts'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

describe('reads on SQLite, with and without the profile cache', () => {
  it.each([
    ['with the cache', 1_000_000],
    ['without the cache', 0],
  ])(
    'see every write answered before them while other reads are in flight (%s)',
    async (_, maxBytes) => {
      const dir = mkdtempSync(join(tmpdir(), 'parley-ryw-'))
      const inner = new SqliteStore(join(dir, 'parley.db'))
      const store = new CachedStore(inner, { maxBytes })
      cleanups.push(async () => {
        await store.close()
        rmSync(dir, { recursive: true, force: true })
      })
      let id = 0
      const deps = { store, newId: () => `id-${(id += 1)}` }
      const first = await ingest(
        identifyEvent({ channel: 'server', source: 'test', anonymousId: 'device-1', at: 1 }),
        deps,
      )
      const profileId = first.profileId
      let stop = false
      // Readers that keep the cache refilling while the writes land.
      const readers = Array.from({ length: 4 }, async () => {
        while (!stop) {
          await store.read((reader) => reader.profile(profileId))
          // Reads may answer without leaving the microtask queue: let the writes' answers in.
          await new Promise((resolve) => setImmediate(resolve))
        }
      })
      const seenSteps: (number | undefined)[] = []
      for (let i = 1; i <= 100; i += 1) {
        const event = identifyEvent({
          channel: 'server',
          source: 'test',
          anonymousId: 'device-1',
          at: 1 + i,
        })
        event.traits = { step: i }
        await ingest(event, deps)
        const seen = await store.read((reader) => reader.profile(profileId))
        seenSteps.push(
          seen === undefined ? undefined : (materializeTraits(seen.traits).step as number),
        )
      }
      stop = true
      await Promise.all(readers)
      expect(seenSteps).toEqual(Array.from({ length: 100 }, (_, i) => i + 1))
    },
  )
})
