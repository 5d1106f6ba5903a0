import type { Config } from '../config/env.ts'
import { openStore } from '../store/open-store.ts'
import type { Store } from '../store/store.ts'

/** The settings a command opens the store with. */
export type StoreConfig = Parameters<typeof openStore>[0] & Pick<Config, 'databaseUrl'>

/** Opens the store `PARLEY_DATABASE_URL` names (migrating it), runs `work`, closes it. */
export async function withStore<T>(
  config: StoreConfig,
  work: (store: Store) => Promise<T>,
): Promise<T> {
  const store = await openStore(config)
  try {
    return await work(store)
  } finally {
    await store.close()
  }
}
