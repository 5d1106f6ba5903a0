import type { Express } from 'express'
import { createApp, type AppDeps } from '../../server/src/app.ts'
import { CachedStore } from '../../server/src/cache/cached-store.ts'
import type { Config } from '../../server/src/config/env.ts'
import { silentLogger } from '../../server/src/config/logger.ts'
import { SqliteStore, type SqliteStoreOptions } from '../../server/src/store/sqlite/sqlite-store.ts'

/** The bench servers' SQLite settings: `synchronous=NORMAL`, the addon of `PARLEY_SQLITE_NATIVE_BINDING`. */
export function benchSqliteOptions(config: Config): SqliteStoreOptions {
  return {
    synchronous: 'NORMAL',
    ...(config.sqliteNativeBinding === undefined
      ? {}
      : { nativeBinding: config.sqliteNativeBinding }),
  }
}

/**
 * The container as the bench servers run it: a SQLite file at `synchronous=NORMAL` behind a
 * profile cache of `cacheBytes` (0 = off), silent logs, the wall clock; `extra` adds the
 * personaliser, an enricher, and so on.
 */
export function benchContainer(
  file: string,
  config: Config,
  cacheBytes: number,
  extra: Partial<Pick<AppDeps, 'personalization' | 'enricher'>> = {},
): Express {
  const store = new CachedStore(new SqliteStore(file, benchSqliteOptions(config)), {
    maxBytes: cacheBytes,
  })
  return createApp({
    config,
    store,
    logger: silentLogger,
    clock: Date.now,
    newId: () => crypto.randomUUID(),
    ...extra,
  })
}
