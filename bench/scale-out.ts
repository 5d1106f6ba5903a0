import { randomUUID } from 'node:crypto'
import { cpus, loadavg } from 'node:os'
import autocannon from 'autocannon'
import { createTestSchema } from '../test/helpers/postgres.ts'
import {
  startContainer,
  testCredentials,
  type RunningContainer,
} from '../test/helpers/start-container.ts'

/*
 * Scale-out benchmark: throughput of the container's hot paths on PostgreSQL with one and with
 * two instances, against a bare Express endpoint measured in the same run (the ratio is the
 * result; absolute numbers depend on the machine, and here the load generator, both instances
 * and PostgreSQL share its cores). Only 127.0.0.1 is loaded, for a bounded time.
 *
 *   npm run bench:scale-out            # BENCH_SECONDS=8 BENCH_CONNECTIONS=32 by default
 *
 * To measure another path (e.g. personalize), add an entry to `scenarios`.
 */

const seconds = Number(process.env.BENCH_SECONDS ?? 8)
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32)
const seededUsers = 500

/** One path under load: how to build each request. */
interface Scenario {
  name: string
  method: 'GET' | 'POST'
  /** Called for every request: the path (with query) and JSON body, if any. */
  request: () => { path: string; body?: unknown }
  headers: Record<string, string>
}

const writeAuth = `Basic ${Buffer.from(`${testCredentials.writeKey}:`).toString('base64')}`
const seedUserId = (index: number) => `bench-user-${index}`

const scenarios: Scenario[] = [
  {
    name: 'identify (new user, company traits)',
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: writeAuth },
    request: () => {
      const id = randomUUID()
      return {
        path: '/v1/identify',
        body: {
          userId: `u-${id}`,
          anonymousId: id,
          traits: {
            email: `${id.slice(0, 8)}@example.com`,
            name: 'Ada Lovelace',
            company: { id: `c-${id.slice(0, 2)}`, name: 'Acme', plan: 'pro' },
          },
        },
      }
    },
  },
  {
    name: 'admin lookup (read path)',
    method: 'GET',
    headers: { authorization: `Bearer ${testCredentials.adminToken}` },
    request: () => ({
      path: `/v1/admin/profiles/lookup?userId=${seedUserId(Math.floor(Math.random() * seededUsers))}`,
    }),
  },
]

interface Measured {
  rps: number
  p99: number
  non2xx: number
  errors: number
}

/** Loads every target at once, splitting the connections between them; sums what they did. */
async function load(targets: RunningContainer[], scenario: Scenario): Promise<Measured> {
  const results = await Promise.all(
    targets.map((target) =>
      autocannon({
        url: target.url,
        connections: Math.max(1, Math.round(connections / targets.length)),
        duration: seconds,
        requests: [
          {
            method: scenario.method,
            headers: scenario.headers,
            setupRequest: (request) => {
              const next = scenario.request()
              return {
                ...request,
                path: next.path,
                ...(next.body === undefined ? {} : { body: JSON.stringify(next.body) }),
              }
            },
          },
        ],
      }),
    ),
  )
  return {
    rps: results.reduce((sum, result) => sum + result.requests.average, 0),
    p99: Math.max(...results.map((result) => result.latency.p99)),
    non2xx: results.reduce((sum, result) => sum + result.non2xx, 0),
    errors: results.reduce((sum, result) => sum + result.errors + result.timeouts, 0),
  }
}

async function seed(target: RunningContainer): Promise<void> {
  for (let start = 0; start < seededUsers; start += 50) {
    await Promise.all(
      Array.from({ length: 50 }, async (_, offset) => {
        const response = await fetch(`${target.url}/v1/identify`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: writeAuth },
          body: JSON.stringify({
            userId: seedUserId(start + offset),
            traits: { email: `seed${start + offset}@example.com` },
          }),
        })
        if (!response.ok) throw new Error(`seeding failed: ${response.status}`)
      }),
    )
  }
}

async function main(): Promise<void> {
  const loadBefore = loadavg()[0]?.toFixed(1) ?? '?'
  const schema = await createTestSchema()
  const started: RunningContainer[] = []
  try {
    const bare = await startContainer({}, { entry: 'bench/bare-express.ts' })
    started.push(bare)
    const env = { PARLEY_DATABASE_URL: schema.url, PARLEY_LOG_LEVEL: 'info' }
    const instances = await Promise.all([startContainer(env), startContainer(env)])
    started.push(...instances)
    const [first] = instances
    if (first === undefined) throw new Error('no instance')
    await seed(first)

    const setups: { name: string; targets: RunningContainer[] }[] = [
      { name: 'bare Express', targets: [bare] },
      { name: 'PostgreSQL, 1 instance', targets: [first] },
      { name: 'PostgreSQL, 2 instances', targets: instances },
    ]
    const lines = [
      `scale-out bench: ${seconds} s per row, ${connections} connections in total, ` +
        `node ${process.version}, ${cpus().length} CPUs, load average before ${loadBefore}, ` +
        new Date().toISOString(),
      '',
      '| path | setup | req/s | p99 ms | vs bare Express | non-2xx | errors |',
      '|---|---|---:|---:|---:|---:|---:|',
    ]
    for (const scenario of scenarios) {
      let baseline = 0
      for (const setup of setups) {
        const measured = await load(setup.targets, scenario)
        if (setup.targets.includes(bare)) baseline = measured.rps
        const ratio = baseline > 0 ? `${((measured.rps / baseline) * 100).toFixed(1)} %` : '-'
        const line = `| ${scenario.name} | ${setup.name} | ${measured.rps.toFixed(0)} | ${measured.p99} | ${ratio} | ${measured.non2xx} | ${measured.errors} |`
        lines.push(line)
        process.stderr.write(`${line}\n`)
      }
    }
    process.stdout.write(`\n${lines.join('\n')}\n`)
  } finally {
    await Promise.all(started.map((running) => running.stop()))
    await schema.drop()
  }
}

await main()
