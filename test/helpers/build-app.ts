import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Express } from 'express'
import { createApp, type AppDeps } from '../../server/src/app.ts'
import { loadConfig } from '../../server/src/config/env.ts'
import { silentLogger, type Logger } from '../../server/src/config/logger.ts'
import { createMetrics, type Metrics } from '../../server/src/observability/metrics.ts'
import { SqliteStore } from '../../server/src/store/sqlite/sqlite-store.ts'
import { testCredentials } from './start-container.ts'

/** An app on a real SQLite file in a temp folder, with its parts exposed for assertions. */
export interface BuiltApp {
  app: Express
  store: SqliteStore
  metrics: Metrics
  file: string
  close: () => Promise<void>
}

/** The settings test apps start from: test credentials, rate limits off. */
export const testEnv: Record<string, string> = {
  NODE_ENV: 'test',
  PARLEY_WRITE_KEYS: testCredentials.writeKey,
  PARLEY_ADMIN_TOKEN: testCredentials.adminToken,
  PARLEY_COOKIE_SECRET: testCredentials.cookieSecret,
  PARLEY_RATE_LIMIT_IP_PER_MINUTE: '0',
  PARLEY_RATE_LIMIT_VISITOR_PER_MINUTE: '0',
}

/**
 * Builds the app the way the entry file does, on a fresh SQLite file; `env` overrides settings
 * (e.g. `PARLEY_RATE_LIMIT_IP_PER_MINUTE`). Rate limits are off unless `env` sets them.
 */
export function buildApp(
  env: Record<string, string> = {},
  extra: Partial<Pick<AppDeps, 'clock' | 'rateLimits'>> & { logger?: Logger } = {},
): BuiltApp {
  const dir = mkdtempSync(join(tmpdir(), 'parley-app-'))
  const file = join(dir, 'parley.db')
  const config = loadConfig({ ...testEnv, ...env })
  const store = new SqliteStore(file)
  const metrics = createMetrics({ defaults: false })
  const app = createApp({
    config,
    store,
    logger: extra.logger ?? silentLogger,
    clock: extra.clock ?? Date.now,
    newId: randomUUID,
    metrics,
    ...(extra.rateLimits === undefined ? {} : { rateLimits: extra.rateLimits }),
  })
  return {
    app,
    store,
    metrics,
    file,
    close: async () => {
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** `Authorization` headers for the test credentials. */
export const auth = {
  admin: `Bearer ${testCredentials.adminToken}`,
  write: `Basic ${Buffer.from(`${testCredentials.writeKey}:`).toString('base64')}`,
} as const
