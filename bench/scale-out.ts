import { randomUUID } from 'node:crypto'
import { cpus, loadavg } from 'node:os'
import { createTestSchema } from '../test/helpers/postgres.ts'
import { ratioText, runLoad, type LoadResult } from './lib/load.ts'
import { startServerProcess, type ServerProcess } from './lib/processes.ts'

/*
 * Scale-out on PostgreSQL: throughput of the container's hot paths with one and with two
 * instances on one database, against a bare Express endpoint measured in the same run. The
 * ratio is the result: the load generator, both instances and PostgreSQL share this machine's
 * cores, so absolute figures say little. Only 127.0.0.1 is loaded, for a bounded time.
 *
 *   npm run bench -- scale-out        (PARLEY_BENCH_SECONDS=10 by default; needs PostgreSQL at
 *                                      PARLEY_TEST_POSTGRES_URL, default 127.0.0.1:5432/test)
 *
 * To measure another path, add an entry to `scenarios`.
 */

const connections = 32
const seededUsers = 500
const writeKey = 'bench-write-key'
const adminToken = 'bench-admin-token-0123456789'
const seedUserId = (index: number) => `bench-user-${index}`
const seedDevice = (index: number) => `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`
const randomSeed = () => Math.floor(Math.random() * seededUsers)

/** One path under load: how each request is built. */
interface Scenario {
  name: string
  method: 'GET' | 'POST'
  headers: Record<string, string>
  path: () => string
  body?: () => string
}

const scenarios: Scenario[] = [
  {
    name: 'POST /v1/identify (new user, company traits)',
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` },
    path: () => '/v1/identify',
    body: () => {
      const id = randomUUID()
      return JSON.stringify({
        userId: `u-${id}`,
        anonymousId: id,
        messageId: randomUUID(),
        traits: {
          email: `${id.slice(0, 8)}@example.com`,
          name: 'Ada Lovelace',
          // 256 companies: accounts are shared, so their locks see some contention.
          company: { id: `c-${id.slice(0, 2)}`, name: 'Acme', plan: 'pro' },
        },
      })
    },
  },
  {
    name: 'POST /v1/personalize (known visitor)',
    method: 'POST',
    headers: {},
    path: () => '/v1/personalize',
    body: () =>
      JSON.stringify({
        anonymousId: seedDevice(randomSeed()),
        page: { url: 'https://x.test/pricing' },
      }),
  },
  {
    name: 'GET /v1/admin/profiles/lookup (read path)',
    method: 'GET',
    headers: { authorization: `Bearer ${adminToken}` },
    path: () => `/v1/admin/profiles/lookup?userId=${seedUserId(randomSeed())}`,
  },
]

/** Loads every target at once, the connections split between them; sums what they did. */
async function loadAll(
  targets: ServerProcess[],
  scenario: Scenario,
  seconds: number,
): Promise<LoadResult> {
  const results = await Promise.all(
    targets.map((target) =>
      runLoad({
        url: `${target.url}${scenario.path()}`,
        method: scenario.method,
        headers: scenario.headers,
        duration: seconds,
        connections: Math.round(connections / targets.length),
        path: scenario.path,
        ...(scenario.body === undefined ? {} : { body: scenario.body }),
      }),
    ),
  )
  const sum = (pick: (result: LoadResult) => number) =>
    results.reduce((total, result) => total + pick(result), 0)
  return {
    requestsPerSecond: sum((result) => result.requestsPerSecond),
    p50Ms: Math.max(...results.map((result) => result.p50Ms)),
    p99Ms: Math.max(...results.map((result) => result.p99Ms)),
    non2xx: sum((result) => result.non2xx),
    errors: sum((result) => result.errors),
  }
}

async function seed(target: ServerProcess): Promise<void> {
  const scenario = scenarios[0]
  for (let start = 0; start < seededUsers; start += 50) {
    await Promise.all(
      Array.from({ length: 50 }, async (_, offset) => {
        const response = await fetch(`${target.url}/v1/identify`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...scenario?.headers },
          body: JSON.stringify({
            userId: seedUserId(start + offset),
            anonymousId: seedDevice(start + offset),
            traits: { plan: 'pro', company: { id: `c-${offset}`, name: 'Acme' } },
          }),
        })
        if (!response.ok) throw new Error(`seeding failed: ${response.status}`)
      }),
    )
  }
}

/** Runs every scenario against bare Express, one instance and two; prints a table. */
export async function benchScaleOut(seconds: number): Promise<string[]> {
  const loadBefore = loadavg()[0]?.toFixed(1) ?? '?'
  const schema = await createTestSchema()
  const started: ServerProcess[] = []
  try {
    const bare = await startServerProcess('bench/lib/bare-express-server.ts')
    started.push(bare)
    const env = {
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      PARLEY_DATABASE_URL: schema.url,
      PARLEY_WRITE_KEYS: writeKey,
      PARLEY_ADMIN_TOKEN: adminToken,
      PARLEY_LOG_LEVEL: 'info',
      // One load generator is one client IP: the per-IP and per-visitor limits would answer 429.
      PARLEY_RATE_LIMIT_IP_PER_MINUTE: '0',
      PARLEY_RATE_LIMIT_VISITOR_PER_MINUTE: '0',
    }
    const instances = await Promise.all([
      startServerProcess('server/src/index.ts', env),
      startServerProcess('server/src/index.ts', env),
    ])
    started.push(...instances)
    await seed(instances[0])

    const setups = [
      { name: 'bare Express', targets: [bare] },
      { name: 'PostgreSQL, 1 instance', targets: [instances[0]] },
      { name: 'PostgreSQL, 2 instances', targets: instances },
    ]
    const lines = [
      `\n## Scale-out on PostgreSQL (${seconds} s per row, ${connections} connections in total, ` +
        `node ${process.version}, ${cpus().length} CPUs, load average ${loadBefore} at start)\n`,
      '| path | setup | req/s | p50 ms | p99 ms | vs bare Express | non-2xx + errors |',
      '|---|---|---|---|---|---|---|',
    ]
    for (const scenario of scenarios) {
      let baseline: LoadResult | undefined
      for (const setup of setups) {
        const result = await loadAll(setup.targets, scenario, seconds)
        if (setup.targets[0] === bare) baseline = result
        const ratio = ratioText(result, baseline ?? result)
        lines.push(
          `| ${scenario.name} | ${setup.name} | ${Math.round(result.requestsPerSecond)} | ` +
            `${result.p50Ms} | ${result.p99Ms} | ${ratio} | ${result.non2xx + result.errors} |`,
        )
      }
    }
    console.log(lines.join('\n'))
    return lines
  } finally {
    await Promise.all(started.map((server) => server.stop()))
    await schema.drop()
  }
}
