/**
 * What Parley's body reader (`http/json-body` over `http/read-body`: any content type, gzip /
 * deflate / br decoded under a limit on the decoded size) costs against body-parser's
 * `express.raw` + `JSON.parse` (what it replaced), as ratios measured in one run: the same
 * identify body, plain and gzip-compressed, each endpoint answering a fixed `{success: true}`.
 * Targets 127.0.0.1 only; each load runs a fixed few seconds and stops by itself.
 *
 *   npx tsx bench/body-reader.ts
 */
import type { Server } from 'node:http'
import { loadavg } from 'node:os'
import { gzipSync } from 'node:zlib'
import autocannon from 'autocannon'
import express, { type Express, type RequestHandler } from 'express'
import { limits } from '../server/src/contract/limits.ts'
import { jsonBody } from '../server/src/http/json-body.ts'

const seconds = 2
const rounds = 3
const connections = 20

function endpoint(...reader: RequestHandler[]): Express {
  const app = express()
  app.disable('x-powered-by')
  app.set('etag', false)
  app.post('/v1/identify', ...reader, (req, res) => {
    res.json({ success: typeof req.body === 'object' })
  })
  return app
}

const baseline = endpoint(
  express.raw({ type: () => true, limit: limits.callBytes, inflate: true }),
  (req, _res, next) => {
    req.body = JSON.parse((req.body as Buffer).toString('utf8')) as unknown
    next()
  },
)
const parley = endpoint(...jsonBody(limits.callBytes, { anyContentType: true }))

async function listen(app: Express): Promise<{ server: Server; url: string }> {
  const server = app.listen(0, '127.0.0.1')
  await new Promise((done) => server.once('listening', done))
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return { server, url: `http://127.0.0.1:${port}/v1/identify` }
}

async function load(url: string, body: Buffer, headers: Record<string, string>): Promise<number> {
  const result = await autocannon({
    url,
    method: 'POST',
    connections,
    duration: seconds,
    body,
    headers: { 'content-type': 'application/json', ...headers },
  })
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`)
  }
  return result.requests.average
}

const json = JSON.stringify({
  userId: 'a1cab6eb-fe12-4ded-beb5-201e9cb575c7',
  anonymousId: '3f1e6a52-4c1d-4a0e-9d1b-8f2f0b6c9e11',
  traits: {
    name: 'Brian Chesky',
    email: 'brian@airbnb.com',
    title: 'CEO',
    company: { id: 'b4c64565', domain: 'airbnb.com', name: 'AirBnb', employeeCount: 6100 },
  },
  context: {
    page: { url: 'https://www.example.com/pricing?utm_medium=cpc', referrer: 'https://google.com' },
    userAgent:
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Safari/605.1.15',
    library: { name: 'analytics-node', version: '3.1.0' },
  },
  messageId: 'e7a2c7b0-0f55-4d3e-9d0a-6e8f3b7d1c20',
  timestamp: '2026-12-01T12:00:00.000Z',
})
const bodies = {
  plain: { body: Buffer.from(json), headers: {} },
  gzip: { body: gzipSync(json), headers: { 'content-encoding': 'gzip' } },
}

const servers = { baseline: await listen(baseline), parley: await listen(parley) }
const results: Record<string, number[]> = {}
try {
  for (let round = 0; round < rounds; round++) {
    for (const [encoding, { body, headers }] of Object.entries(bodies)) {
      for (const [name, { url }] of Object.entries(servers)) {
        const key = `${name} ${encoding}`
        ;(results[key] ??= []).push(await load(url, body, headers))
      }
    }
  }
} finally {
  for (const { server } of Object.values(servers)) server.close()
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? 0
console.log(
  `body reader, ${json.length} B identify body (gzip ${bodies.gzip.body.length} B), ` +
    `${rounds} rounds x ${seconds} s, ${connections} connections, load ${loadavg()[0]?.toFixed(1)}`,
)
for (const encoding of Object.keys(bodies)) {
  const base = median(results[`baseline ${encoding}`] ?? [])
  const ours = median(results[`parley ${encoding}`] ?? [])
  console.log(
    `${encoding.padEnd(6)} express.raw + JSON.parse ${base.toFixed(0)} req/s, ` +
      `parley jsonBody ${ours.toFixed(0)} req/s, ratio ${(ours / base).toFixed(2)}`,
  )
}
