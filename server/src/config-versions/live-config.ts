import type { Logger } from '../config/logger.ts'
import { PersonalizationEngine } from '../personalization/engine.ts'
import type { Store } from '../store/store.ts'
import { changeKey } from '../store/change-feed.ts'
import { versionMeta, type ConfigVersion, type ConfigVersionMeta } from './config-version.ts'
import { seedConfig } from './publish-config.ts'

/** How often each instance checks the store for a newer version, besides the change feed. */
export const configPollMs = 1_000

/**
 * How soon a version published on one instance is in force on every other: the change feed
 * (PostgreSQL NOTIFY) brings it in milliseconds; the poll every `configPollMs` is the safety net
 * when a notification is lost. Documented in docs/operations.md.
 */
export const propagationBoundMs = 2_000

/** Why the config cannot be edited in the console, when it is pinned to a file. */
export interface PinnedToFile {
  file: string
  reason: string
}

/**
 * The personalisation config in force on this instance, kept in step with the store: the
 * engine holds it compiled in memory (requests never read it from the store) and swaps in each
 * newer version when the change feed announces one (`config`, or a `reset`) or the poll finds
 * one. Or, with `PARLEY_CONFIG_SOURCE=file`, pinned to the file (reloaded by its own watch), in
 * which case every write is refused and `pinned` says why.
 */
export class LiveConfig {
  readonly engine: PersonalizationEngine
  readonly pinned: PinnedToFile | undefined
  readonly #store: Store | undefined
  readonly #logger: Logger | undefined
  readonly #clock: () => number
  #version: ConfigVersionMeta | undefined
  #running: Promise<void> | undefined
  #again = false
  #timer: NodeJS.Timeout | undefined
  #unsubscribe: (() => void) | undefined

  private constructor(options: {
    engine: PersonalizationEngine
    pinned?: PinnedToFile
    store?: Store
    logger?: Logger
    clock: () => number
  }) {
    this.engine = options.engine
    this.pinned = options.pinned
    this.#store = options.store
    this.#logger = options.logger
    this.#clock = options.clock
  }

  /** A config pinned to a file: read-only in the console, with `reason` saying why. */
  static pinnedToFile(engine: PersonalizationEngine, pinned: PinnedToFile): LiveConfig {
    return new LiveConfig({ engine, pinned, clock: Date.now })
  }

  /**
   * The config from the store: seeds an empty store with `seed()` (the `PARLEY_CONFIG` file,
   * read only then; it may throw a `PersonalizationConfigError`), loads the newest version into
   * a new engine, then follows the change feed and polls every `pollMs` (default
   * `configPollMs`). Several instances starting on one empty store seed it once.
   */
  static async fromStore(options: {
    store: Store
    logger: Logger
    clock: () => number
    seed: () => { document: unknown; source: string }
    pollMs?: number
  }): Promise<LiveConfig> {
    const { store, clock } = options
    let latest = await store.read((reader) => reader.latestConfigVersion())
    if (latest === undefined) {
      const { document, source } = options.seed()
      const seeded = await store.transaction((tx) =>
        seedConfig(tx, { document, author: 'parley', at: clock(), note: `Seeded from ${source}` }),
      )
      if (seeded !== undefined) {
        options.logger.info({ version: 1, source }, 'personalisation config seeded into the store')
      }
      latest = await store.read((reader) => reader.latestConfigVersion())
    }
    if (latest === undefined) throw new Error('the config store has no version after seeding')
    const live = new LiveConfig({
      engine: new PersonalizationEngine(latest.document, clock()),
      store,
      logger: options.logger,
      clock,
    })
    live.#version = versionMeta(latest)
    live.#follow(options.pollMs ?? configPollMs)
    return live
  }

  /** The version in force on this instance; undefined when pinned to a file. */
  get version(): ConfigVersionMeta | undefined {
    return this.#version
  }

  /**
   * Loads the newest version when it is newer than the one in force. Calls that arrive while one
   * runs are folded into one more run after it. Never throws: a store fault is logged and the
   * config in force stays until the next try.
   */
  refresh(): Promise<void> {
    if (this.#store === undefined) return Promise.resolve()
    if (this.#running !== undefined) {
      this.#again = true
      return this.#running
    }
    this.#running = (async () => {
      do {
        this.#again = false
        await this.#load().catch((error: unknown) => {
          this.#logger?.warn(
            { err: error },
            'cannot read the config version; the one in force stays',
          )
        })
      } while (this.#again)
    })().finally(() => {
      this.#running = undefined
    })
    return this.#running
  }

  close(): void {
    clearInterval(this.#timer)
    this.#unsubscribe?.()
  }

  #follow(pollMs: number): void {
    this.#unsubscribe = this.#store?.onChange((change) => {
      if (change.kind === 'reset' || change.keys.includes(changeKey.config())) void this.refresh()
    })
    this.#timer = setInterval(() => void this.refresh(), pollMs)
    this.#timer.unref()
  }

  async #load(): Promise<void> {
    const store = this.#store
    if (store === undefined) return
    const newest = await store.read((reader) => reader.latestConfigVersionNumber())
    const current = this.#version?.number ?? 0
    if (newest === null || newest <= current) return
    const version = await store.read((reader) => reader.configVersion(newest))
    if (version !== undefined) this.#apply(version)
  }

  #apply(version: ConfigVersion): void {
    try {
      this.engine.replace(version.document, this.#clock())
    } catch (error) {
      // Validated before it was stored, so only a bug gets here: keep serving what works.
      this.engine.recordRejection([String(error)], this.#clock())
      this.#logger?.error({ err: error, version: version.number }, 'cannot compile config version')
    }
    this.#version = versionMeta(version)
    this.#logger?.info(
      { version: version.number, author: version.author, kind: version.kind },
      `personalisation config version ${version.number} in force`,
    )
  }
}
