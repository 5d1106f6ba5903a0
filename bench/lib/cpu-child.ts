import { spawn, type ChildProcess } from 'node:child_process'
import autocannon from 'autocannon'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createInterface } from 'node:readline'
import type { Express } from 'express'
import { interleave } from './load.ts'
import { benchRuntime, serverEnv } from './processes.ts'
import { createAppServer } from '../../server/src/http/app-server.ts'

/** A bench server child that printed one JSON "ready" line and answers CPU-time requests. */
export interface CpuChild<Ready> {
  ready: Ready
  /** The child's CPU time so far (µs). */
  serverCpu: () => Promise<number>
  /** Closes its stdin: the child cleans up and exits. */
  stop: () => void
  child: ChildProcess
}

/**
 * Starts `tsx <script>` (a file that ends with `serveCpuOnStdin`) and reads its ready line. CPU
 * per request is steadier than requests per second on a shared machine, so the driver asks the
 * server process for its CPU time around each run.
 */
export async function startCpuChild<Ready>(script: string): Promise<CpuChild<Ready>> {
  const child = spawn(benchRuntime(), ['--import', 'tsx', script], {
    env: serverEnv(),
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  const nextLine = async (): Promise<string> => {
    const line = await lines.next()
    if (line.done === true) throw new Error(`${script} exited early`)
    return line.value
  }
  const ready = JSON.parse(await nextLine()) as Ready
  return {
    ready,
    serverCpu: async () => {
      child.stdin?.write('cpu\n')
      return Number(await nextLine())
    },
    stop: () => child.stdin?.end(),
    child,
  }
}

/**
 * Listens on a free port of 127.0.0.1 and resolves with it: through the container's own server
 * (`createAppServer`, as `server/src/index.ts` serves), or `plain` as `app.listen` serves, as
 * the bare baseline is served.
 */
export function listenOnLoopback(app: Express, options: { plain?: boolean } = {}): Promise<number> {
  return new Promise((done) => {
    const server = options.plain === true ? createServer(app) : createAppServer(app)
    server.listen(0, '127.0.0.1', () => done((server.address() as AddressInfo).port))
  })
}

/**
 * The child's side: prints `ready` as one JSON line, then its CPU time (µs) for each line read
 * on stdin; runs `cleanup` and exits when the parent closes stdin.
 */
export function serveCpuOnStdin(ready: unknown, cleanup: () => void): void {
  process.stdout.write(`${JSON.stringify(ready)}\n`)
  createInterface({ input: process.stdin }).on('line', () => {
    const usage = process.cpuUsage()
    process.stdout.write(`${usage.user + usage.system}\n`)
  })
  process.stdin.on('end', () => {
    cleanup()
    process.exit(0)
  })
}

/** One server under load: where it listens and the requests autocannon cycles through. */
export interface CpuTarget {
  name: string
  port: number
  requests: autocannon.Request[]
}

/** A target's totals over every round. */
export interface CpuSummary {
  name: string
  rps: number
  cpuPerRequestUs: number
  p99: number
  /** Non-2xx answers and errors: any makes a ratio meaningless. */
  bad: number
}

/**
 * Loads each target for `warmupSeconds` (JIT, caches, first writes), then `rounds` rounds of
 * `roundSeconds` each, interleaved so a burst of other load on the machine hits all targets
 * alike; measures the server's CPU around every run.
 */
export async function interleavedRounds(
  serverCpu: () => Promise<number>,
  targets: readonly CpuTarget[],
  options: { connections: number; rounds: number; roundSeconds: number; warmupSeconds?: number },
): Promise<CpuSummary[]> {
  type Sample = { requests: number; cpuUs: number; seconds: number; p99: number; bad: number }
  const run = async (target: CpuTarget, duration: number): Promise<Sample> => {
    const before = await serverCpu()
    const result = await autocannon({
      url: `http://127.0.0.1:${target.port}`,
      connections: options.connections,
      duration,
      requests: target.requests,
    })
    return {
      requests: result.requests.total,
      cpuUs: (await serverCpu()) - before,
      seconds: duration,
      p99: result.latency.p99,
      bad: result.non2xx + result.errors,
    }
  }
  for (const target of targets) await run(target, options.warmupSeconds ?? 2)
  const samples = await interleave(
    targets.map((target) => () => run(target, options.roundSeconds)),
    options.rounds,
  )
  return targets.map((target, index) => {
    const all = samples[index] ?? []
    const requests = all.reduce((sum, sample) => sum + sample.requests, 0)
    return {
      name: target.name,
      rps: requests / all.reduce((sum, sample) => sum + sample.seconds, 0),
      cpuPerRequestUs: all.reduce((sum, sample) => sum + sample.cpuUs, 0) / requests,
      p99: Math.max(...all.map((sample) => sample.p99)),
      bad: all.reduce((sum, sample) => sum + sample.bad, 0),
    }
  })
}
