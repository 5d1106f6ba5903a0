/**
 * What the operational edge costs per request, as ratios measured in one run on this machine:
 * the request observer + metrics + security headers (GET /healthz against a bare Express
 * handler), and the Origin check + both rate limits (POST /v1/web/page with them on against
 * off). Targets 127.0.0.1 only; each load runs a fixed few seconds and stops by itself.
 *
 *   npx tsx bench/edge-overhead.ts
 */
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import type { Server } from 'node:http'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import autocannon from 'autocannon'
import express, { type Express } from 'express'
import { createApp } from '../server/src/app.ts'
import { loadConfig } from '../server/src/config/env.ts'
import { silentLogger } from '../server/src/config/logger.ts'
import { SqliteStore } from '../server/src/store/sqlite/sqlite-store.ts'

const seconds = 2
const rounds = 5
const connections = 20
const dir = mkdtempSync(join(tmpdir(), 'parley-bench-'))

function parley(name: string, env: Record<string, string>): Express {
  return createApp({
    config: loadConfig({ NODE_ENV: 'test', PARLEY_LOG_LEVEL: 'silent', ...env }),
    store: new SqliteStore(join(dir, `${name}.db`), { synchronous: 'NORMAL' }),
    logger: silentLogger,
    clock: Date.now,
    newId: randomUUID,
  })
}

async function listen(app: Express): Promise<{ server: Server; url: string }> {
  const server = app.listen(0, '127.0.0.1')
  await new Promise((done) => server.once('listening', done))
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return { server, url: `http://127.0.0.1:${port}` }
}

async function load(url: string, options: Partial<autocannon.Options> = {}): Promise<number> {
  const result = await autocannon({ url, connections, duration: seconds, ...options })
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`)
  }
  return result.requests.average
}

const bare = express()
bare.disable('x-powered-by')
bare.get('/healthz', (_req, res) => {
  res.json({ status: 'ok' })
})

const origin = 'https://www.example.com'
const guarded = parley('guarded', {
  PARLEY_ALLOWED_ORIGINS: origin,
  PARLEY_RATE_LIMIT_IP_PER_MINUTE: '1000000000',
  PARLEY_RATE_LIMIT_VISITOR_PER_MINUTE: '1000000000',
})
const open = parley('open', {
  PARLEY_ALLOWED_ORIGINS: '*',
  PARLEY_RATE_LIMIT_IP_PER_MINUTE: '0',
  PARLEY_RATE_LIMIT_VISITOR_PER_MINUTE: '0',
})

const servers = await Promise.all([bare, guarded, open].map(listen))
const [bareServer, guardedServer, openServer] = servers as [
  Awaited<ReturnType<typeof listen>>,
  Awaited<ReturnType<typeof listen>>,
  Awaited<ReturnType<typeof listen>>,
]
try {
  const page = (anonymous: string) => ({
    method: 'POST' as const,
    headers: { 'content-type': 'text/plain', origin },
    body: JSON.stringify({ anonymousId: anonymous, properties: { path: '/pricing' } }),
  })
  // Pairs measured back to back, several rounds, median ratio: a busy machine slows both sides
  // of a pair alike, so the ratio holds where the absolute numbers do not.
  const pairs = [
    {
      name: 'GET /healthz: Parley (observer, metrics, headers) / bare Express',
      base: () => load(`${bareServer.url}/healthz`),
      test: () => load(`${guardedServer.url}/healthz`),
    },
    {
      name: 'POST /v1/web/page: allow-list + both limits / origin * and no limits',
      base: () => load(`${openServer.url}/v1/web/page`, page('bench-open')),
      test: () => load(`${guardedServer.url}/v1/web/page`, page('bench-guarded')),
    },
  ]
  console.log(
    `node ${process.version}, ${connections} connections, ${seconds} s per load, ${rounds} rounds, load average ${loadavg()[0]?.toFixed(1)}`,
  )
  for (const pair of pairs) {
    const ratios: number[] = []
    const rates: string[] = []
    for (let round = 0; round < rounds; round += 1) {
      const base = await pair.base()
      const test = await pair.test()
      ratios.push(test / base)
      rates.push(`${test.toFixed(0)}/${base.toFixed(0)}`)
    }
    const median = [...ratios].sort((a, b) => a - b)[Math.floor(rounds / 2)] ?? NaN
    console.log(
      `${pair.name}: median ratio ${median.toFixed(2)} (req/s per round ${rates.join(', ')})`,
    )
  }
} finally {
  for (const { server } of servers) server.close()
  rmSync(dir, { recursive: true, force: true })
}
