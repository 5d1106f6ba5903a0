import { fileStamp } from '../config/file-stamp.ts'
import type { Logger } from '../config/logger.ts'

/** A data file held in memory and read again when it changes on disk. */
export interface ReloadingSource<T> {
  /** The last good load, or `undefined` while the file has never loaded. */
  readonly current: T | undefined
  /** Reads the files now; true when a new value is in force. */
  reload(): boolean
  close(): void
}

/** How to load one source. */
export interface SourceSpec<T> {
  /** Names the source in logs: `geo`, `network`, `company ranges`. */
  name: string
  /** The files whose size or modification time, when changed, mean "load again". */
  files: readonly string[]
  load: () => T
  logger: Logger
  /** Poll period; default 5 s. */
  intervalMs?: number
}

/**
 * Loads a source now and polls its files' stat, reloading on a change. A file that is missing
 * or broken at start is logged at `error` and the source stays empty (the container serves
 * without it); a broken change while running is logged and the last good value stays in force.
 * Polling rather than `fs.watch` survives tools that replace a file instead of writing it.
 */
export function reloadingSource<T>(spec: SourceSpec<T>): ReloadingSource<T> {
  let current: T | undefined
  const stampAll = (): string => spec.files.map(fileStamp).join('|')
  let seen = stampAll()
  const reload = (): boolean => {
    const started = performance.now()
    try {
      current = spec.load()
    } catch (error) {
      spec.logger.error(
        { source: spec.name, files: spec.files, err: error },
        current === undefined
          ? `enrichment ${spec.name} data cannot be loaded; serving without it`
          : `enrichment ${spec.name} data change rejected; the last good data stays in force`,
      )
      return false
    }
    spec.logger.info(
      { source: spec.name, files: spec.files, ms: Math.round(performance.now() - started) },
      `enrichment ${spec.name} data loaded`,
    )
    return true
  }
  reload()
  const timer = setInterval(() => {
    const now = stampAll()
    if (now === seen) return
    seen = now
    reload()
  }, spec.intervalMs ?? 5000)
  timer.unref()
  return {
    get current() {
      return current
    },
    reload,
    close: () => clearInterval(timer),
  }
}
