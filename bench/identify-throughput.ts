import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  combineRounds,
  formatRow,
  interleave,
  ratioText,
  roundsOf,
  runLoad,
  tableHeader,
  type LoadResult,
} from './lib/load.ts'
import { startServerProcess, type ServerProcess } from './lib/processes.ts'

/**
 * Bodies of the identify mix: each a new device of one of 1,000 users, with a work email and
 * company traits (50 companies), so a run mixes creates, merges and new-device links.
 */
export function identifyBody(): () => string {
  let n = 0
  return () =>
    JSON.stringify({
      userId: `user-${(n += 1) % 1000}`,
      anonymousId: randomUUID(),
      messageId: randomUUID(),
      traits: {
        email: `user-${n % 1000}@acme-${n % 50}.test`,
        plan: n % 3 === 0 ? 'pro' : 'free',
        seen: n,
        company: { id: `acme-${n % 50}`, employeeCount: n % 500 },
      },
    })
}

/**
 * Identify throughput of the container on SQLite against a bare Express endpoint that parses the
 * same JSON body, measured in the same run on the same machine. Each request is a new device of
 * one of 1,000 users, so the run mixes creates, merges and new-device links. Each server gets two
 * unmeasured seconds of the same load first (see `warmUp`). The maximum rates are measured in
 * interleaved rounds (`interleave`), so every ratio compares the same minutes; the latency rows
 * then run back to back at half the baseline's maximum.
 *
 *   npm run bench -- identify        (PARLEY_BENCH_SECONDS=10 by default)
 */
export async function benchIdentify(seconds: number): Promise<Record<string, LoadResult>> {
  const writeKey = 'bench-write-key'
  const auth = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`
  const body = identifyBody()
  const { rounds, roundSeconds } = roundsOf(seconds)
  const dirs: string[] = []
  const startContainer = (synchronous: 'FULL' | 'NORMAL') => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-bench-'))
    dirs.push(dir)
    return startServerProcess('server/src/index.ts', {
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      PARLEY_DATABASE_URL: `sqlite:${join(dir, 'bench.db')}`,
      PARLEY_SQLITE_SYNCHRONOUS: synchronous,
      PARLEY_WRITE_KEYS: writeKey,
      PARLEY_LOG_LEVEL: 'info',
    })
  }
  const servers: ServerProcess[] = []
  try {
    servers.push(await startServerProcess('bench/lib/bare-express-server.ts'))
    // The same app served as the container serves itself: on Node 20 `app.listen` costs each
    // request a slow `setPrototypeOf` that the container no longer pays (docs/performance.md).
    servers.push(
      await startServerProcess('bench/lib/bare-express-server.ts', {
        PARLEY_BENCH_BARE_SERVER: 'container',
      }),
    )
    servers.push(await startContainer('FULL'))
    servers.push(await startContainer('NORMAL'))
    const targets = servers.map((server, index) => ({
      url: `${server.url}/v1/identify`,
      headers: index < 2 ? {} : { authorization: auth },
      serverPid: server.child.pid,
    }))
    type Target = (typeof targets)[number]
    const load = (target: Target, duration: number, rate?: number) =>
      runLoad({ ...target, duration, body, ...(rate === undefined ? {} : { rate }) })
    for (const { url, headers } of targets) await warmUp(url, headers, body)
    const [baseline, baselineBorn, identify, identifyNormal] = (
      await interleave(
        targets.map((target) => () => load(target, roundSeconds)),
        rounds,
      )
    ).map(combineRounds) as [LoadResult, LoadResult, LoadResult, LoadResult]
    // Latency is compared at the load the target promises: half of the baseline's maximum.
    const rate = Math.round(baseline.requestsPerSecond / 2)
    const [bareTarget, , fullTarget] = targets as [Target, Target, Target]
    const baselineAtRate = await load(bareTarget, seconds, rate)
    const identifyAtRate = await load(fullTarget, seconds, rate)

    console.log(
      `\n## Identify on SQLite vs bare Express (maxima: ${rounds} interleaved rounds of ` +
        `${roundSeconds} s; at ${rate} req/s: ${seconds} s; 32 connections)\n`,
    )
    console.log(tableHeader)
    console.log(formatRow('bare Express, same JSON body, max', baseline))
    console.log(formatRow('bare Express, container server, max', baselineBorn))
    console.log(formatRow('POST /v1/identify, SQLite synchronous=FULL (default), max', identify))
    console.log(formatRow('POST /v1/identify, SQLite synchronous=NORMAL, max', identifyNormal))
    console.log(formatRow(`bare Express at ${rate} req/s`, baselineAtRate))
    console.log(formatRow(`POST /v1/identify (FULL) at ${rate} req/s`, identifyAtRate))
    const ratio = (result: LoadResult, against = baseline) =>
      // Three places: at two, 0.595 printed as 0.60, the target, and read as met.
      ratioText(result, against, (r) => r.toFixed(3))
    const latencyFailed =
      baselineAtRate.non2xx + baselineAtRate.errors + identifyAtRate.non2xx + identifyAtRate.errors
    console.log(
      `\nthroughput ratio: FULL ${ratio(identify)}, NORMAL ${ratio(identifyNormal)} (target >= 0.60)` +
        `; against the bare app on the container's server: FULL ${ratio(identify, baselineBorn)}` +
        `\np99 at ${rate} req/s: ${latencyFailed > 0 ? `no comparison: ${latencyFailed} non-2xx/errors` : `${signed(identifyAtRate.p99Ms - baselineAtRate.p99Ms)} ms over baseline, ${Math.round(identifyAtRate.requestsPerSecond)} of ${rate} req/s answered`} (target <= +10 ms)` +
        `\nserver CPU per request (all threads), bare / identify FULL: ${cpuRatio(baseline, identify)}`,
    )
    return { baseline, baselineBorn, identify, identifyNormal, baselineAtRate, identifyAtRate }
  } finally {
    for (const server of servers) await server.stop()
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  }
}

/** Bare's server CPU per request over the container's, when both are known and clean. */
function cpuRatio(baseline: LoadResult, result: LoadResult): string {
  if (baseline.serverCpuUs === undefined || result.serverCpuUs === undefined) return 'n/a'
  return ratioText(result, baseline, () =>
    ((baseline.serverCpuUs ?? 0) / (result.serverCpuUs ?? 1)).toFixed(2),
  )
}

/** A difference with its sign: `+3.0`, `-15.0`. */
function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(1)}`
}

/**
 * Two seconds of load before a target is measured, unmeasured (its answers need not be 2xx):
 * the JIT, the page cache and, for the container, the first users' profiles are made then,
 * for the baseline and the container alike.
 */
async function warmUp(url: string, headers: Record<string, string>, body: () => string) {
  await runLoad({ url, duration: 2, headers, body })
}
