import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { LiveConfig } from '../../server/src/config-versions/live-config.ts'
import { publishConfig } from '../../server/src/config-versions/publish-config.ts'
import { silentLogger } from '../../server/src/config/logger.ts'
import { PersonalizationEngine } from '../../server/src/personalization/engine.ts'
import { PersonalizationConfigError } from '../../server/src/personalization/load-config.ts'
import { SqliteStore } from '../../server/src/store/sqlite/sqlite-store.ts'
import type { Store } from '../../server/src/store/store.ts'
import { headlineConfig } from '../helpers/config-documents.ts'
import { evalContext } from '../helpers/eval-context.ts'

const dir = mkdtempSync(join(tmpdir(), 'parley-live-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let counter = 0
const opened: { close: () => unknown }[] = []
afterEach(async () => {
  for (const item of opened.splice(0).reverse()) await item.close()
})

function sqlite(file = join(dir, `live-${counter++}.db`)): SqliteStore {
  const store = new SqliteStore(file)
  opened.push(store)
  return store
}

async function live(store: Store, pollMs: number, headline = 'Seeded'): Promise<LiveConfig> {
  const config = await LiveConfig.fromStore({
    store,
    logger: silentLogger,
    clock: Date.now,
    seed: () => ({ document: headlineConfig(headline), source: 'test.yaml' }),
    pollMs,
  })
  opened.push(config)
  return config
}

const headlineOf = (config: LiveConfig) =>
  config.engine.decide(evalContext(), 'p1').experiences[0]?.content['hero-title']

async function publish(store: Store, headline: string, baseVersion: number): Promise<void> {
  await store.transaction((tx) =>
    publishConfig(tx, {
      author: 'ann',
      at: Date.now(),
      note: '',
      document: headlineConfig(headline),
      baseVersion,
      kind: 'publish',
    }),
  )
}

/** Waits for `check` to hold, at most `ms`; throws with what it saw otherwise. */
async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const start = Date.now()
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`${what} within ${ms} ms`)
    await new Promise((done) => setTimeout(done, 10))
  }
}

describe('LiveConfig', () => {
  it('seeds an empty store from the file and serves version 1', async () => {
    const store = sqlite()
    const config = await live(store, 60_000)
    expect(config.version).toMatchObject({ number: 1, kind: 'seed', note: 'Seeded from test.yaml' })
    expect(config.pinned).toBeUndefined()
    expect(headlineOf(config)).toBe('Seeded')
  })

  it('does not read the file when the store has a version', async () => {
    const store = sqlite()
    await live(store, 60_000)
    const again = await LiveConfig.fromStore({
      store,
      logger: silentLogger,
      clock: Date.now,
      seed: () => {
        throw new Error('the seed file must not be read')
      },
    })
    opened.push(again)
    expect(headlineOf(again)).toBe('Seeded')
  })

  it('passes on a broken seed file’s problems', async () => {
    await expect(
      LiveConfig.fromStore({
        store: sqlite(),
        logger: silentLogger,
        clock: Date.now,
        seed: () => {
          throw new PersonalizationConfigError('test.yaml', ['experiences: expected a list'])
        },
      }),
    ).rejects.toBeInstanceOf(PersonalizationConfigError)
  })

  it('swaps in a version published through its store when the change feed announces it', async () => {
    const store = sqlite()
    // A poll this slow cannot be what finds it.
    const config = await live(store, 60_000)
    await publish(store, 'Announced', 1)
    await until(
      () => headlineOf(config) === 'Announced',
      2_000,
      'the change feed brought no version',
    )
    expect(config.version?.number).toBe(2)
  })

  it('finds a version another process published (no change feed between them) by polling', async () => {
    const file = join(dir, `live-${counter++}.db`)
    const config = await live(sqlite(file), 50)
    // A second connection to the same file, as `parley config import` opens it.
    await publish(sqlite(file), 'Polled', 1)
    await until(() => headlineOf(config) === 'Polled', 2_000, 'the poll found no version')
  })

  it('never goes back to an older version, and keeps serving when the store fails', async () => {
    const store = sqlite()
    const config = await live(store, 60_000)
    await publish(store, 'Second', 1)
    await config.refresh()
    expect(config.version?.number).toBe(2)
    await store.close()
    await config.refresh()
    expect(headlineOf(config)).toBe('Second')
  })

  it('is read-only with its reason when pinned to a file', () => {
    const pinned = LiveConfig.pinnedToFile(PersonalizationEngine.empty(), {
      file: 'parley.yaml',
      reason: 'pinned',
    })
    expect(pinned.pinned).toEqual({ file: 'parley.yaml', reason: 'pinned' })
    expect(pinned.version).toBeUndefined()
  })
})
