import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Express } from 'express'
import supertest from 'supertest'
import { createApp } from '../../server/src/app.ts'
import { loadConfig, type Config } from '../../server/src/config/env.ts'
import { silentLogger } from '../../server/src/config/logger.ts'
import { SqliteStore } from '../../server/src/store/sqlite/sqlite-store.ts'
import { testCredentials } from './start-container.ts'

/** An app on a real SQLite file in a temp folder, with a clock the test moves. */
export interface TestApp {
  app: Express
  store: SqliteStore
  config: Config
  /** Current wall-clock time the app sees (ms). */
  now: () => number
  /** Moves the app's clock forward. */
  advance: (ms: number) => void
  /** supertest agent-less request builder. */
  request: () => supertest.Agent
  /** Identify through the Segment API with the test write key. */
  server: (path: string, body: unknown) => supertest.Test
  /** The admin lookup, by user id or anonymous id. */
  lookup: (query: { userId?: string; anonymousId?: string }) => supertest.Test
  close: () => Promise<void>
}

/** Builds the app the way the entry file does, on a fresh SQLite file. `env` overrides settings. */
export function createTestApp(env: Record<string, string> = {}): TestApp {
  const dir = mkdtempSync(join(tmpdir(), 'parley-app-'))
  const store = new SqliteStore(join(dir, 'parley.db'))
  const config = loadConfig({
    NODE_ENV: 'test',
    PARLEY_WRITE_KEYS: testCredentials.writeKey,
    PARLEY_ADMIN_TOKEN: testCredentials.adminToken,
    PARLEY_COOKIE_SECRET: testCredentials.cookieSecret,
    ...env,
  })
  let time = Date.UTC(2026, 10, 30, 12)
  const app = createApp({
    config,
    store,
    logger: silentLogger,
    clock: () => time,
    newId: randomUUID,
  })
  const auth = `Basic ${Buffer.from(`${testCredentials.writeKey}:`).toString('base64')}`
  return {
    app,
    store,
    config,
    now: () => time,
    advance: (ms) => {
      time += ms
    },
    request: () => supertest.agent(app),
    server: (path, body) =>
      supertest(app)
        .post(path)
        .set('authorization', auth)
        .send(body as object),
    lookup: (query) =>
      supertest(app)
        .get('/v1/admin/profiles/lookup')
        .query(query)
        .set('authorization', `Bearer ${testCredentials.adminToken}`),
    close: async () => {
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** The anonymous-id cookie a response set, as `name=value` for a later request. */
export function anonymousCookie(response: supertest.Response): string {
  const cookies = ([] as string[]).concat(response.headers['set-cookie'] ?? [])
  const cookie = cookies.find((c) => c.startsWith('parley_aid='))
  if (cookie === undefined) throw new Error('no parley_aid cookie was set')
  return cookie.split(';', 1)[0] ?? ''
}
