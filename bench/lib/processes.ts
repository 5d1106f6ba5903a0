import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'

const root = resolve(import.meta.dirname, '../..')

let runtime = process.execPath
let runtimeEnv: Record<string, string> = {}

/**
 * The node binary the servers under test run on: this one, or another given to `useRuntime`
 * (`npm run bench` does so with `PARLEY_BENCH_NODE`). Baselines and containers alike.
 */
export function benchRuntime(): string {
  return runtime
}

/** Runs the next servers on `node`, with `env` added to theirs (e.g. its SQLite addon). */
export function useRuntime(node: string, env: Record<string, string> = {}): void {
  runtime = node
  runtimeEnv = env
}

/** The environment a server child gets: ours, the runtime's additions, then `env`. */
export function serverEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...runtimeEnv, ...env }
}

/** A server child process that printed `"port":N` once it listened. */
export interface ServerProcess {
  url: string
  child: ChildProcess
  stop: () => Promise<void>
}

/** Starts `tsx <script>` with `env` and waits for its `"port":N` log line. */
export async function startServerProcess(
  script: string,
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const child = spawn(runtime, ['--import', 'tsx', script], {
    cwd: root,
    env: serverEnv(env),
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let output = ''
  const port = await new Promise<number>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`${script} did not start: ${output}`)), 20_000)
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const match = /"port":(\d+)/.exec(output)
      if (match?.[1] !== undefined) {
        clearTimeout(timer)
        done(Number(match[1]))
      }
    })
    child.once('exit', (code) =>
      fail(new Error(`${script} exited with ${String(code)}: ${output}`)),
    )
  })
  child.stdout.resume()
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null) return done()
        child.once('exit', () => done())
        child.kill('SIGTERM')
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref()
      }),
  }
}

/**
 * CPU time (µs) a process has used so far, all its threads together, from Linux's
 * `/proc/<pid>/stat`; undefined elsewhere. Server CPU per request is steadier than requests per
 * second on a shared machine.
 */
export function processCpuMicros(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ticks = Number(fields[11]) + Number(fields[12])
    return Number.isFinite(ticks) ? (ticks * 1e6) / 100 : undefined
  } catch {
    return undefined
  }
}
