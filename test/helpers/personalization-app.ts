import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Express } from 'express'
import { createApp } from '../../server/src/app.ts'
import { CachedStore } from '../../server/src/cache/cached-store.ts'
import { loadConfig } from '../../server/src/config/env.ts'
import { silentLogger } from '../../server/src/config/logger.ts'
import { PersonalizationEngine } from '../../server/src/personalization/engine.ts'
import { parsePersonalizationConfig } from '../../server/src/personalization/load-config.ts'
import { Personalizer } from '../../server/src/personalization/personalizer.ts'
import { SqliteStore } from '../../server/src/store/sqlite/sqlite-store.ts'
import type { Store } from '../../server/src/store/store.ts'

export const adminToken = 'test-admin-token-0123456789'

/** An app on a real SQLite file in a temp dir, with a personalisation config given as YAML. */
export interface PersonalizationApp {
  app: Express
  engine: PersonalizationEngine
  store: CachedStore
  /** Moves the app's clock forward. */
  advance: (ms: number) => void
  close: () => Promise<void>
}

/**
 * `env` adds or overrides settings (e.g. `PARLEY_BROWSER_WRITE_KEYS`); `wrapEngine` wraps the
 * SQLite store under the cache (to watch what reaches it). Default: the store itself.
 */
export function personalizationApp(
  yaml: string,
  start = Date.parse('2026-06-01T12:00:00Z'),
  env: Record<string, string> = {},
  wrapEngine: (engine: Store) => Store = (engine) => engine,
) {
  const dir = mkdtempSync(join(tmpdir(), 'parley-personalize-'))
  const config = loadConfig({
    NODE_ENV: 'test',
    PARLEY_DATABASE_URL: `sqlite:${join(dir, 'parley.db')}`,
    PARLEY_ADMIN_TOKEN: adminToken,
    PARLEY_WRITE_KEYS: 'test-write-key',
    PARLEY_COOKIE_SECRET: 'test-cookie-secret-0123456789-abcdefghij',
    ...env,
  })
  let now = start
  const clock = () => now
  let next = 0
  const newId = () => `id-${String((next += 1)).padStart(4, '0')}`
  const engine = new PersonalizationEngine(parsePersonalizationConfig(yaml, 'test.yaml'))
  const store = new CachedStore(wrapEngine(new SqliteStore(join(dir, 'parley.db'))), {
    maxBytes: 1_000_000,
  })
  const app = createApp({
    config,
    store,
    logger: silentLogger,
    clock,
    newId,
    personalization: new Personalizer(engine, clock),
  })
  return {
    app,
    engine,
    store,
    advance: (ms: number) => {
      now += ms
    },
    close: async () => {
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  } satisfies PersonalizationApp
}
