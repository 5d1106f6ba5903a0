import type { Config } from '../config/env.ts'
import { ConfigError } from '../config/env.ts'
import { SqliteStore } from './sqlite-store.ts'
import type { Store } from './store.ts'

/** Opens the engine named by `PARLEY_DATABASE_URL` (`sqlite:<file>`). */
export function openStore(config: Pick<Config, 'databaseUrl' | 'sqliteSynchronous'>): Store {
  const url = config.databaseUrl
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '')
    if (file === '') throw new ConfigError('PARLEY_DATABASE_URL: expected sqlite:<file>')
    return new SqliteStore(file, { synchronous: config.sqliteSynchronous })
  }
  throw new ConfigError(
    `PARLEY_DATABASE_URL: the ${url.split(':', 1)[0]} engine is not available in this build; use sqlite:<file>`,
  )
}
