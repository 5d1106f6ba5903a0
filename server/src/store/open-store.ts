import type { Config } from '../config/env.ts'
import { ConfigError } from '../config/env.ts'
import { PostgresStore } from './postgres/postgres-store.ts'
import { SqliteStore } from './sqlite/sqlite-store.ts'
import type { Store } from './store.ts'

/**
 * Opens the engine named by `PARLEY_DATABASE_URL`: `sqlite:<file>` (one node) or
 * `postgres://…` (many nodes on one database; migrates it first). `onBackgroundError` hears of
 * faults no request sees, such as a dropped idle connection.
 */
export async function openStore(
  config: Pick<Config, 'databaseUrl' | 'sqliteSynchronous' | 'sqliteNativeBinding' | 'postgres'>,
  onBackgroundError?: (error: unknown, where: string) => void,
): Promise<Store> {
  const url = config.databaseUrl
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '')
    if (file === '') throw new ConfigError('PARLEY_DATABASE_URL: expected sqlite:<file>')
    const store = new SqliteStore(file, {
      synchronous: config.sqliteSynchronous,
      ...(config.sqliteNativeBinding === undefined
        ? {}
        : { nativeBinding: config.sqliteNativeBinding }),
      ...(onBackgroundError === undefined ? {} : { onBackgroundError }),
    })
    // Fail at start, not on the first call, when the file cannot be opened or migrated.
    await store.ready.catch(async (error: unknown) => {
      await store.close()
      throw error
    })
    return store
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    return PostgresStore.open({
      url,
      ...config.postgres,
      ...(onBackgroundError === undefined ? {} : { onBackgroundError }),
    })
  }
  throw new ConfigError(
    `PARLEY_DATABASE_URL: the ${url.split(':', 1)[0]} engine is not available; use sqlite:<file> or postgres://…`,
  )
}

/** The database URL as logs may show it: any password replaced by `***`. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*:)[^@]*@/, '$1***@')
}
