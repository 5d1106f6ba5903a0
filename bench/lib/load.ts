import autocannon from 'autocannon'
import { processCpuMicros } from './processes.ts'

/** What one load run measured. */
export interface LoadResult {
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  non2xx: number
  errors: number
  /** The server process's CPU time per answered request (µs, all its threads), when known. */
  serverCpuUs?: number
}

/** Options of one bounded load run against 127.0.0.1. */
export interface LoadOptions {
  url: string
  /** Seconds of load. Default: 10. */
  duration?: number
  /** Concurrent connections. Default: 32. */
  connections?: number
  method?: 'GET' | 'POST'
  headers?: Record<string, string>
  /** Offered load in requests per second across all connections; unset means "as fast as possible". */
  rate?: number
  /** Builds the body of each request (fresh ids per request). */
  body?: () => string
  /** Builds the path and query of each request (e.g. a different user per lookup). */
  path?: () => string
  /** The server's process id, to report its CPU time per request (Linux). */
  serverPid?: number | undefined
}

/** Runs autocannon once and returns throughput and latency; refuses anything but loopback. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { hostname } = new URL(options.url)
  if (hostname !== '127.0.0.1' && hostname !== 'localhost')
    throw new Error('benchmarks only target loopback')
  const { body: makeBody, path: makePath } = options
  const cpuBefore = processCpuMicros(options.serverPid)
  const result = await autocannon({
    url: options.url,
    method: options.method ?? 'POST',
    duration: options.duration ?? 10,
    connections: options.connections ?? 32,
    ...(options.rate === undefined ? {} : { overallRate: options.rate }),
    headers: { 'content-type': 'application/json', ...options.headers },
    ...(makeBody === undefined && makePath === undefined
      ? {}
      : {
          requests: [
            {
              setupRequest: (request) => ({
                ...request,
                ...(makeBody === undefined ? {} : { body: makeBody() }),
                ...(makePath === undefined ? {} : { path: makePath() }),
              }),
            },
          ],
        }),
  })
  const cpuAfter = processCpuMicros(options.serverPid)
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    ...(cpuBefore === undefined || cpuAfter === undefined || result.requests.total === 0
      ? {}
      : { serverCpuUs: (cpuAfter - cpuBefore) / result.requests.total }),
  }
}

/** Rounds a bench splits each target's time into, and how long a round lasts (2 s at least). */
export function roundsOf(seconds: number, rounds = 3): { rounds: number; roundSeconds: number } {
  return { rounds, roundSeconds: Math.max(2, Math.round(seconds / rounds)) }
}

/**
 * Runs every load `rounds` times, a round of each in turn, so that a burst of other work on the
 * machine, or a host that slows down, falls on every target alike instead of on whichever was
 * measured then. Returns each load's rounds, in the order of `loads`.
 */
export async function interleave<T>(
  loads: readonly (() => Promise<T>)[],
  rounds: number,
): Promise<T[][]> {
  const results = loads.map((): T[] => [])
  for (let round = 0; round < rounds; round += 1) {
    for (const [index, load] of loads.entries()) results[index]?.push(await load())
  }
  return results
}

/**
 * The rounds of one target as one result: the rate averaged over the rounds (they are equally
 * long), the CPU per request weighted by each round's requests, the worst round's p50 and p99,
 * the failures summed.
 */
export function combineRounds(rounds: readonly LoadResult[]): LoadResult {
  const sum = (pick: (round: LoadResult) => number) =>
    rounds.reduce((total, round) => total + pick(round), 0)
  const rates = sum((round) => round.requestsPerSecond)
  const cpuKnown = rounds.every((round) => round.serverCpuUs !== undefined) && rates > 0
  return {
    requestsPerSecond: rates / Math.max(rounds.length, 1),
    p50Ms: Math.max(...rounds.map((round) => round.p50Ms)),
    p99Ms: Math.max(...rounds.map((round) => round.p99Ms)),
    non2xx: sum((round) => round.non2xx),
    errors: sum((round) => round.errors),
    ...(cpuKnown
      ? {
          serverCpuUs: sum((round) => (round.serverCpuUs ?? 0) * round.requestsPerSecond) / rates,
        }
      : {}),
  }
}

/** One line of a results table. */
export function formatRow(name: string, result: LoadResult): string {
  const cpu = result.serverCpuUs === undefined ? 'n/a' : result.serverCpuUs.toFixed(0)
  return `| ${name} | ${Math.round(result.requestsPerSecond)} | ${result.p50Ms} | ${result.p99Ms} | ${cpu} | ${result.non2xx + result.errors} |`
}

/**
 * `result` as a share of `baseline`, or a refusal naming the failed answers: a run that saw one
 * non-2xx answer or error measured something else than the path, so it gets no ratio.
 */
export function ratioText(
  result: Pick<LoadResult, 'requestsPerSecond' | 'non2xx' | 'errors'>,
  baseline: Pick<LoadResult, 'requestsPerSecond' | 'non2xx' | 'errors'>,
  format: (ratio: number) => string = (ratio) => `${(ratio * 100).toFixed(1)} %`,
): string {
  const failed = (run: typeof result) => run.non2xx + run.errors
  if (failed(baseline) > 0) return `no ratio: the baseline had ${failed(baseline)} non-2xx/errors`
  if (failed(result) > 0) return `no ratio: ${failed(result)} non-2xx/errors`
  return format(result.requestsPerSecond / baseline.requestsPerSecond)
}

export const tableHeader =
  '| target | req/s | p50 ms | p99 ms | server CPU µs/req | non-2xx + errors |\n|---|---|---|---|---|---|'
