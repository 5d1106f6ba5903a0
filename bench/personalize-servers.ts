/**
 * Child process of `bench/personalize.ts`: serves, on five free ports of 127.0.0.1,
 *  - `bare`: a bare Express app answering POST with a small JSON (the baseline), served as
 *    `app.listen` serves it;
 *  - `bareBorn`: the same app served as the container is (`createAppServer`), for comparison;
 *  - `edge`: the container's middleware and body reader around the same answer;
 *  - `cached`: the container with its profile cache on;
 *  - `uncached`: the container with the cache off (every request reads SQLite);
 * after seeding known visitors through the real pipeline. Prints `{ports, anonymousIds}` as one
 * JSON line when ready, then its CPU time (µs) for each line it reads on stdin; exits when its
 * parent closes stdin.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import express, { type Express } from 'express'
import { benchContainer, benchSqliteOptions } from './lib/bench-container.ts'
import { listenOnLoopback, serveCpuOnStdin } from './lib/cpu-child.ts'
import { loadConfig } from '../server/src/config/env.ts'
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
// Rate limits off: 20 connections from one address would otherwise be answered 429.
const config = loadConfig({
  NODE_ENV: 'test',
  PARLEY_SQLITE_NATIVE_BINDING: process.env.PARLEY_SQLITE_NATIVE_BINDING,
  PARLEY_DATABASE_URL: `sqlite:${file}`,
  PARLEY_RATE_LIMIT_IP_PER_MINUTE: '0',
  PARLEY_RATE_LIMIT_VISITOR_PER_MINUTE: '0',
})
const engine = new PersonalizationEngine(
  readPersonalizationConfig(resolve(import.meta.dirname, '../config/parley.demo.yaml')),
)
const personalization = new Personalizer(engine, Date.now)

function container(maxBytes: number): Express {
  return benchContainer(file, config, maxBytes, { personalization })
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
 * The container's edge without personalisation: the same global middleware (security headers),
 * signed-cookie reading, body reader and cookie refresh as the real routes, answering a fixed
 * payload. Separates what the edge costs from what personalising costs.
 */
function edge(): Express {
  const app = express()
  app.disable('x-powered-by')
  app.disable('etag')
  app.use(securityHeaders)
  app.post('/edge', ...jsonBody(limits.callBytes), (req, res) => {
    const secrets = config.cookieSecrets
    writeAnonymousCookie(req, res, readAnonymousCookie(req, secrets) ?? 'x', {
      secrets,
      domain: undefined,
    })
    res.json({ anonymousId: 'x', segments: [], experiences: [] })
  })
  return app
}

const seedStore = new SqliteStore(file, benchSqliteOptions(config))
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
  bare: await listenOnLoopback(bare(), { plain: true }),
  bareBorn: await listenOnLoopback(bare()),
  edge: await listenOnLoopback(edge()),
  cached: await listenOnLoopback(container(64 * 1024 * 1024)),
  uncached: await listenOnLoopback(container(0)),
}
serveCpuOnStdin({ ports, anonymousIds }, () => rmSync(dir, { recursive: true, force: true }))
