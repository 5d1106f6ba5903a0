import { fileStamp } from '../config/file-stamp.ts'
import type { Logger } from '../config/logger.ts'
import type { PersonalizationEngine } from './engine.ts'
import { PersonalizationConfigError, readPersonalizationConfig } from './load-config.ts'

/** A running watch on the personalisation file. */
export interface ConfigWatch {
  /** Reads the file now; true when the new config is in force, false when the old one stays. */
  reload(): boolean
  close(): void
}

/**
 * Reloads the engine's config when the file changes, without a restart. A broken change is
 * logged with every problem and the last good config stays in force. Polls the file's stat
 * every `intervalMs` (default 1000): unlike `fs.watch`, polling survives editors and deploy
 * tools that replace the file instead of writing it in place, and a deleted file simply waits.
 */
export function watchPersonalizationConfig(
  file: string,
  engine: PersonalizationEngine,
  logger: Logger,
  options: { intervalMs?: number } = {},
): ConfigWatch {
  const reload = (): boolean => {
    try {
      engine.replace(readPersonalizationConfig(file))
    } catch (error) {
      // Whatever went wrong (a bad file, or a bug compiling it), a running container keeps
      // serving the config it has; this runs on a timer, where a throw would end the process.
      const issues = error instanceof PersonalizationConfigError ? error.issues : [String(error)]
      engine.recordRejection(issues)
      logger.error(
        { file, issues, ...(error instanceof PersonalizationConfigError ? {} : { err: error }) },
        'personalisation config change rejected; the last good config stays in force',
      )
      return false
    }
    const { segments, experiences } = engine.config
    logger.info(
      { file, segments: segments.length, experiences: experiences.length },
      'personalisation config reloaded',
    )
    return true
  }
  // Polled by hand rather than with fs.watchFile: the first stat is taken here, synchronously,
  // so a write right after the watch starts is never mistaken for the initial state.
  let seen = fileStamp(file)
  const timer = setInterval(() => {
    const now = fileStamp(file)
    if (now === seen) return
    seen = now
    reload()
  }, options.intervalMs ?? 1000)
  timer.unref()
  return { reload, close: () => clearInterval(timer) }
}
