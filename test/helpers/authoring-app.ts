import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Express } from 'express'
import supertest from 'supertest'
import { afterEach } from 'vitest'
import { createApp } from '../../server/src/app.ts'
import { CachedStore } from '../../server/src/cache/cached-store.ts'
import { LiveConfig } from '../../server/src/config-versions/live-config.ts'
import { loadConfig } from '../../server/src/config/env.ts'
import { silentLogger } from '../../server/src/config/logger.ts'
import type { Role } from '../../server/src/console-users/console-user.ts'
import { addUser } from '../../server/src/console-users/manage-users.ts'
import { PersonalizationEngine } from '../../server/src/personalization/engine.ts'
import { validatePersonalizationConfig } from '../../server/src/personalization/load-config.ts'
import { Personalizer } from '../../server/src/personalization/personalizer.ts'
import type { Store } from '../../server/src/store/store.ts'
import { SqliteStore } from '../../server/src/store/sqlite/sqlite-store.ts'
import { headlineConfig } from './config-documents.ts'
import { testEnv } from './build-app.ts'
import { testCredentials } from './start-container.ts'

/** A signed-in console session: requests carry its cookie, changes its CSRF token. */
export interface ConsoleAgent {
  cookie: string
  csrf: string
  get: (path: string) => supertest.Test
  /** A JSON POST with the session's cookie and `X-CSRF-Token`. */
  post: (path: string, body?: unknown) => supertest.Test
}

/** An app whose config lives in the store (or is pinned to a file), with the console API. */
export interface AuthoringApp {
  app: Express
  store: CachedStore
  live: LiveConfig
  now: () => number
  advance: (ms: number) => void
  /** Signs in with the admin token (`operator`) or a person's name and password. */
  signIn: (who?: 'operator' | { name: string; password: string }) => Promise<ConsoleAgent>
  /** Adds a console user with this role and password (through `addUser`, as the CLI does). */
  addUser: (name: string, role: Role, password?: string) => Promise<void>
  close: () => Promise<void>
}

/**
 * For a test file: a `start` that builds an `authoringApp`, and an `afterEach` that closes the
 * one the test started.
 */
export function authoringApps(): (
  options?: Parameters<typeof authoringApp>[0],
) => Promise<AuthoringApp> {
  let current: AuthoringApp | undefined
  afterEach(async () => {
    await current?.close()
    current = undefined
  })
  return async (options = {}) => {
    current = await authoringApp(options)
    return current
  }
}

/** The password `addUser` gives when none is named. */
export const testPassword = 'correct horse battery staple'

/**
 * Builds an app the way the entry file does on a fresh SQLite file: the store seeded with
 * `seed` (default `headlineConfig('Seeded')`) and followed by a `LiveConfig`; with `pinned`,
 * the config is pinned to a file instead (the console shows it read-only).
 */
export async function authoringApp(
  options: { seed?: unknown; pinned?: boolean; env?: Record<string, string> } = {},
): Promise<AuthoringApp> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-authoring-'))
  const config = loadConfig({ ...testEnv, ...options.env })
  let time = Date.parse('2026-06-01T12:00:00Z')
  const clock = () => time
  const store = new CachedStore(new SqliteStore(join(dir, 'parley.db')), { maxBytes: 1_000_000 })
  const seed = options.seed ?? headlineConfig('Seeded')
  const live =
    options.pinned === true
      ? LiveConfig.pinnedToFile(new PersonalizationEngine(validated(seed), time), {
          file: 'config/pinned.yaml',
          reason: 'PARLEY_CONFIG_SOURCE=file pins the config to config/pinned.yaml',
        })
      : await LiveConfig.fromStore({
          store,
          logger: silentLogger,
          clock,
          seed: () => ({ document: seed, source: 'test seed' }),
          pollMs: 60_000,
        })
  const app = createApp({
    config,
    store,
    logger: silentLogger,
    clock,
    newId: (() => {
      let next = 0
      return () => `id-${String((next += 1)).padStart(4, '0')}`
    })(),
    personalization: new Personalizer(live.engine, clock),
    liveConfig: live,
  })
  return {
    app,
    store,
    live,
    now: clock,
    advance: (ms) => {
      time += ms
    },
    signIn: (who = 'operator') => signIn(app, who),
    addUser: (name, role, password) => seedUser(store, name, role, password),
    close: async () => {
      live.close()
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

function validated(document: unknown) {
  const result = validatePersonalizationConfig(document)
  if (!result.ok) throw new Error(`the seed is not valid: ${JSON.stringify(result.issues)}`)
  return result.config
}

/** Signs in through the sign-in form and reads the CSRF token from `GET /console/api/me`. */
export async function signIn(
  app: Express,
  who: 'operator' | { name: string; password: string } = 'operator',
): Promise<ConsoleAgent> {
  const form = who === 'operator' ? { token: testCredentials.adminToken } : who
  const response = await supertest(app).post('/console/sign-in').type('form').send(form)
  if (response.status !== 303) throw new Error(`sign-in answered ${response.status}`)
  const cookie = ([] as string[])
    .concat(response.headers['set-cookie'] ?? [])
    .find((c) => c.startsWith('parley_console='))
    ?.split(';', 1)[0]
  if (cookie === undefined) throw new Error('sign-in set no session cookie')
  const me = await supertest(app).get('/console/api/me').set('Cookie', cookie)
  const csrf = (me.body as { csrf?: string }).csrf ?? ''
  return {
    cookie,
    csrf,
    get: (path) => supertest(app).get(path).set('Cookie', cookie),
    post: (path, body = {}) =>
      supertest(app)
        .post(path)
        .set('Cookie', cookie)
        .set('X-CSRF-Token', csrf)
        .send(body as object),
  }
}

/** Adds a console user straight into a store (a test's seed; `parley user add` in production). */
export async function seedUser(
  store: Pick<Store, 'transaction'>,
  name: string,
  role: Role,
  password = testPassword,
): Promise<void> {
  await addUser(store, { name, role, password, actor: 'test', at: Date.now() })
}
