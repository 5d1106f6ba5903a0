/**
 * Child process of `bench/personalize.ts`: serves, on four free ports of 127.0.0.1,
 *  - `bare`: a bare Express app answering POST with a small JSON (the baseline);
 *  - `edge`: the container's middleware and body reader around the same answer;
 *  - `cached`: the container with its profile cache on;
 *  - `uncached`: the container with the cache off (every request reads SQLite);
 * after seeding known visitors through the real pipeline. Prints `{ports, anonymousIds}` as one
 * JSON line when ready, then its CPU time (µs) for each line it reads on stdin; exits when its
 * parent closes stdin.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import cookieParser from 'cookie-parser'
import express, { type Express } from 'express'
import { createApp } from '../server/src/app.ts'
import { CachedStore } from '../server/src/cache/cached-store.ts'
import { loadConfig } from '../server/src/config/env.ts'
import { silentLogger } from '../server/src/config/logger.ts'
import { limits } from '../server/src/contract/limits.ts'
import { readAnonymousCookie, writeAnonymousCookie } from '../server/src/http/anonymous-cookie.ts'
import { jsonBody } from '../server/src/http/json-body.ts'
import { securityHeaders } from '../server/src/http/security-headers.ts'
import { PersonalizationEngine } from '../server/src/personalization/engine.ts'
import { readPersonalizationConfig } from '../server/src/personalization/load-config.ts'
import { Personalizer } from '../server/src/personalization/personalizer.ts'
import { identifyEvent } from '../server/src/pipeline/identify-event.ts'
import { ingest } from '../server/src/pipeline/ingest.ts'
import { SqliteStore } from '../server/src/store/sqlite/sqlite-store.ts'

const visitors = Number(process.env.BENCH_VISITORS ?? 200)
const dir = mkdtempSync(join(tmpdir(), 'parley-bench-'))
const file = join(dir, 'parley.db')
// The load generator replays 50 visitors from one address: the per-IP and per-visitor limits
// would answer 429 and the bench would measure those answers, so both are off here.
const config = loadConfig({
  NODE_ENV: 'test',
  PARLEY_SQLITE_NATIVE_BINDING: process.env.PARLEY_SQLITE_NATIVE_BINDING,
  PARLEY_DATABASE_URL: `sqlite:${file}`,
  PARLEY_RATE_LIMIT_IP_PER_MINUTE: '0',
  PARLEY_RATE_LIMIT_VISITOR_PER_MINUTE: '0',
})
const sqliteOptions = {
  synchronous: 'NORMAL' as const,
  ...(config.sqliteNativeBinding === undefined
    ? {}
    : { nativeBinding: config.sqliteNativeBinding }),
}
const engine = new PersonalizationEngine(
  readPersonalizationConfig(resolve(import.meta.dirname, '../config/parley.demo.yaml')),
)
const personalization = new Personalizer(engine, Date.now)

function container(maxBytes: number): Express {
  const store = new CachedStore(new SqliteStore(file, sqliteOptions), { maxBytes })
  return createApp({
    config,
    store,
    logger: silentLogger,
    clock: Date.now,
    newId: () => crypto.randomUUID(),
    personalization,
  })
}

function bare(): Express {
  const app = express()
  app.disable('x-powered-by')
  app.disable('etag')
  app.post('/bare', express.json(), (_req, res) => {
    res.json({ anonymousId: 'x', segments: [], experiences: [] })
  })
  return app
}

/**
 * The container's edge without personalisation: the same global middleware (security headers,
 * signed-cookie parsing), body reader and cookie refresh as the real routes, answering a fixed
 * payload. Separates what the edge costs from what personalising costs.
 */
function edge(): Express {
  const app = express()
  app.disable('x-powered-by')
  app.disable('etag')
  app.use(securityHeaders)
  app.use(cookieParser(config.cookieSecrets))
  app.post('/edge', ...jsonBody(limits.callBytes), (req, res) => {
    writeAnonymousCookie(req, res, readAnonymousCookie(req) ?? 'x', undefined)
    res.json({ anonymousId: 'x', segments: [], experiences: [] })
  })
  return app
}

function listen(app: Express): Promise<number> {
  return new Promise((done) => {
    const server = app.listen(0, '127.0.0.1', () => done((server.address() as AddressInfo).port))
  })
}

const seedStore = new SqliteStore(file, sqliteOptions)
const anonymousIds: string[] = []
for (let i = 0; i < visitors; i += 1) {
  const anonymousId = `bench-device-${i}`
  await ingest(
    identifyEvent({
      channel: 'server',
      source: 'bench',
      anonymousId,
      userId: `bench-user-${i}`,
      traits: { firstName: `User${i}`, email: `user${i}@company${i % 20}.com` },
      company: {
        id: `company-${i % 20}`,
        name: `Company ${i % 20}`,
        industry: i % 2 === 0 ? 'Software' : 'Retail',
        employeeCount: (i % 20) * 250,
      },
      at: Date.now(),
    }),
    { store: seedStore, newId: () => crypto.randomUUID(), personalization },
  )
  anonymousIds.push(anonymousId)
}
await seedStore.close()

const ports = {
  bare: await listen(bare()),
  edge: await listen(edge()),
  cached: await listen(container(64 * 1024 * 1024)),
  uncached: await listen(container(0)),
}
process.stdout.write(`${JSON.stringify({ ports, anonymousIds })}\n`)
// Each line on stdin asks for this process's CPU time so far (µs), so the driver can measure
// CPU per request, which other load on the machine disturbs far less than requests per second.
createInterface({ input: process.stdin }).on('line', () => {
  const usage = process.cpuUsage()
  process.stdout.write(`${usage.user + usage.system}\n`)
})
process.stdin.on('end', () => {
  rmSync(dir, { recursive: true, force: true })
  process.exit(0)
})
