import { execFileSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { cpus, loadavg } from 'node:os'
import { createTestSchema } from '../test/helpers/postgres.ts'
import {
  combineRounds,
  interleave,
  ratioText,
  roundsOf,
  runLoad,
  type LoadResult,
} from './lib/load.ts'
import { backendPids, cpuBetween, cpuByPid, processesCpuUs } from './lib/process-cpu.ts'
import { benchRuntime, startServerProcess, type ServerProcess } from './lib/processes.ts'

/*
 * Scale-out on PostgreSQL: throughput of the container's hot paths with one and with two
 * instances on one database, against a bare Express endpoint measured in the same run, served
 * both as `app.listen` serves it (the issue's baseline) and as the container serves itself (so
 * that a saving of the container's server is not taken for one of its work). The
 * ratio is the result: the load generator, both instances and PostgreSQL share this machine's
 * cores, so absolute figures say little. A path's setups are loaded in interleaved rounds
 * (`interleave`), so its ratios compare the same minutes. Only 127.0.0.1 is loaded, for a
 * bounded time.
 *
 *   npm run bench -- scale-out        (PARLEY_BENCH_SECONDS=10 by default; needs PostgreSQL at
 *                                      PARLEY_TEST_POSTGRES_URL, default 127.0.0.1:5432/test)
 *
 * `PARLEY_BENCH_PATHS=identify,lookup` runs some paths only. Besides the ratio, each row says
 * where the CPU went, per request: the load generator (this process), the server processes, and
 * the PostgreSQL backends serving them (each instance names its connections with PGAPPNAME), read
 * from /proc. That is what tells how a path would grow with more cores: see the last table.
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
  /** Short name for `PARLEY_BENCH_PATHS`. */
  key: string
  name: string
  method: 'GET' | 'POST'
  headers: Record<string, string>
  path: () => string
  body?: () => string
}

const scenarios: Scenario[] = [
  {
    key: 'identify',
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
    key: 'personalize',
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
    key: 'lookup',
    name: 'GET /v1/admin/profiles/lookup (read path)',
    method: 'GET',
    headers: { authorization: `Bearer ${adminToken}` },
    path: () => `/v1/admin/profiles/lookup?userId=${seedUserId(randomSeed())}`,
  },
]

/** Where the CPU of a run went (µs in total), besides what the run did. */
interface Measured extends LoadResult {
  requests: number
  loadGeneratorUs: number
  serversUs: number
  postgresUs: number
}

/** A server under load: its process, and the names its PostgreSQL connections carry. */
interface Target {
  server: ServerProcess
  appName?: string
}

/** Loads every target at once, the connections split between them; sums what they did. */
async function loadAll(
  targets: Target[],
  scenario: Scenario,
  seconds: number,
  postgresUrl: string,
): Promise<Measured> {
  // The backends serving the instances, read before and after: a pool may open (or close) a
  // connection during the run.
  const backends = async () => {
    const pids: number[] = []
    for (const { appName } of targets) {
      if (appName !== undefined) pids.push(...(await backendPids(postgresUrl, appName)))
    }
    return cpuByPid(pids)
  }
  const serverPids = targets.map((target) => target.server.child.pid ?? 0)
  const postgresBefore = await backends()
  const cpuBefore = process.cpuUsage()
  const serversBefore = processesCpuUs(serverPids)
  const results = await Promise.all(
    targets.map(({ server }) =>
      runLoad({
        url: `${server.url}${scenario.path()}`,
        method: scenario.method,
        headers: scenario.headers,
        duration: seconds,
        connections: Math.round(connections / targets.length),
        path: scenario.path,
        ...(scenario.body === undefined ? {} : { body: scenario.body }),
      }),
    ),
  )
  const cpu = process.cpuUsage(cpuBefore)
  const serversUs = processesCpuUs(serverPids) - serversBefore
  const sum = (pick: (result: LoadResult) => number) =>
    results.reduce((total, result) => total + pick(result), 0)
  const requestsPerSecond = sum((result) => result.requestsPerSecond)
  return {
    requestsPerSecond,
    p50Ms: Math.max(...results.map((result) => result.p50Ms)),
    p99Ms: Math.max(...results.map((result) => result.p99Ms)),
    non2xx: sum((result) => result.non2xx),
    errors: sum((result) => result.errors),
    requests: requestsPerSecond * seconds,
    loadGeneratorUs: cpu.user + cpu.system,
    serversUs,
    postgresUs: cpuBetween(postgresBefore, await backends()),
  }
}

/** The rounds of one setup as one: as `combineRounds`, with the CPU totals summed. */
function combineMeasured(rounds: readonly Measured[]): Measured {
  const sum = (pick: (round: Measured) => number) =>
    rounds.reduce((total, round) => total + pick(round), 0)
  const { requestsPerSecond, p50Ms, p99Ms, non2xx, errors } = combineRounds(rounds)
  return {
    requestsPerSecond,
    p50Ms,
    p99Ms,
    non2xx,
    errors,
    requests: sum((round) => round.requests),
    loadGeneratorUs: sum((round) => round.loadGeneratorUs),
    serversUs: sum((round) => round.serversUs),
    postgresUs: sum((round) => round.postgresUs),
  }
}

/** CPU per request (µs) of each part, and their sum without the load generator. */
function cpuPerRequest(run: Measured): { load: number; servers: number; pg: number } {
  const per = (us: number) => us / Math.max(run.requests, 1)
  return { load: per(run.loadGeneratorUs), servers: per(run.serversUs), pg: per(run.postgresUs) }
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

/** Runs every scenario against bare Express, one instance and two; prints the tables. */
export async function benchScaleOut(seconds: number): Promise<string[]> {
  const loadBefore = loadavg()[0]?.toFixed(1) ?? '?'
  const { rounds: roundCount, roundSeconds } = roundsOf(seconds)
  const wanted = process.env.PARLEY_BENCH_PATHS?.split(',')
  const chosen = scenarios.filter((scenario) => wanted?.includes(scenario.key) ?? true)
  const schema = await createTestSchema()
  const started: ServerProcess[] = []
  try {
    const bare = await startServerProcess('bench/lib/bare-express-server.ts')
    started.push(bare)
    const bareBorn = await startServerProcess('bench/lib/bare-express-server.ts', {
      PARLEY_BENCH_BARE_SERVER: 'container',
    })
    started.push(bareBorn)
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
    // Each instance names its PostgreSQL connections, so their backends' CPU can be told apart.
    const [first, second] = await Promise.all(
      ['parley-bench-a', 'parley-bench-b'].map(async (appName) => ({
        appName,
        server: await startServerProcess('server/src/index.ts', { ...env, PGAPPNAME: appName }),
      })),
    )
    if (first === undefined || second === undefined) throw new Error('an instance did not start')
    started.push(first.server, second.server)
    await seed(first.server)
    const targets: Target[] = [first, second]

    const setups = [
      { name: 'bare Express', targets: [{ server: bare }] as Target[] },
      { name: 'bare Express, container server', targets: [{ server: bareBorn }] as Target[] },
      { name: 'PostgreSQL, 1 instance', targets: targets.slice(0, 1) },
      { name: 'PostgreSQL, 2 instances', targets },
    ]
    const lines = [
      `\n## Scale-out on PostgreSQL (${roundCount} interleaved rounds of ${roundSeconds} s per row, ` +
        `${connections} connections in total, ` +
        `servers on node ${execFileSync(benchRuntime(), ['--version']).toString().trim()}, ${cpus().length} CPUs, load average ${loadBefore} at start)\n`,
      '| path | setup | req/s | p50 ms | p99 ms | vs bare Express | vs bare, container server | ' +
        'non-2xx + errors | CPU µs/req: load generator | servers | PostgreSQL backends |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
    ]
    const growth: string[] = []
    for (const scenario of chosen) {
      const rounds = await interleave(
        setups.map((setup) => () => loadAll(setup.targets, scenario, roundSeconds, schema.url)),
        roundCount,
      )
      const results = rounds.map(combineMeasured)
      const [baseline, bornBaseline] = results as [Measured, Measured]
      for (const [index, setup] of setups.entries()) {
        const result = results[index] as Measured
        const ratio = ratioText(result, baseline)
        const bornRatio = setup.targets[0]?.server === bare ? '' : ratioText(result, bornBaseline)
        const cpu = cpuPerRequest(result)
        lines.push(
          `| ${scenario.name} | ${setup.name} | ${Math.round(result.requestsPerSecond)} | ` +
            `${result.p50Ms} | ${result.p99Ms} | ${ratio} | ${bornRatio} | ` +
            `${result.non2xx + result.errors} | ` +
            `${cpu.load.toFixed(0)} | ${cpu.servers.toFixed(0)} | ${cpu.pg.toFixed(0)} |`,
        )
        if (setup.name === 'PostgreSQL, 1 instance') {
          growth.push(growthRow(scenario, result, baseline, bornBaseline))
        }
      }
    }
    lines.push(
      '',
      'With more cores, if each request keeps costing the CPU measured here and the load ' +
        'generator runs elsewhere: requests/s per core for the container with its PostgreSQL ' +
        'backends, and for the bare endpoint alone (its CPU per request, this run; served as ' +
        '`app.listen` serves it, then as the container serves itself).',
      '',
      '| path | container + PostgreSQL µs/req | req/s per core | bare µs/req | bare req/s per core | ratio | ' +
        'bare µs/req, container server | ratio |',
      '|---|---|---|---|---|---|---|---|',
      ...growth,
    )
    console.log(lines.join('\n'))
    return lines
  } finally {
    await Promise.all(started.map((server) => server.stop()))
    await schema.drop()
  }
}

/** What the CPU per request says about more cores: the container's and the bare endpoint's. */
function growthRow(scenario: Scenario, run: Measured, bare: Measured, bareBorn: Measured): string {
  const oursUs = cpuPerRequest(run).servers + cpuPerRequest(run).pg
  const against = (baseline: Measured) => {
    const theirsUs = cpuPerRequest(baseline).servers
    const ratio = ratioText(run, baseline, () => `${((theirsUs / oursUs) * 100).toFixed(1)} %`)
    return { theirsUs, ratio }
  }
  const plain = against(bare)
  const born = against(bareBorn)
  return (
    `| ${scenario.name} | ${oursUs.toFixed(0)} | ${Math.round(1e6 / oursUs)} | ` +
    `${plain.theirsUs.toFixed(0)} | ${Math.round(1e6 / plain.theirsUs)} | ${plain.ratio} | ` +
    `${born.theirsUs.toFixed(0)} | ${born.ratio} |`
  )
}
