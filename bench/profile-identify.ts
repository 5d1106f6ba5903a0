/**
 * A CPU profile of the container under identify load on SQLite: starts `server/src/index.ts`
 * with `node --cpu-prof` (one profile per thread: the event loop and the SQLite worker), drives
 * it with the identify mix of `identify-throughput.ts` for a few seconds (127.0.0.1 only), stops
 * it and prints where each thread's busy time went. `PARLEY_BENCH_DATABASE=postgres` runs it on
 * a fresh schema of the test PostgreSQL (`PARLEY_TEST_POSTGRES_URL`) instead.
 *
 *   npx tsx bench/profile-identify.ts      (PARLEY_BENCH_SECONDS=5 by default)
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { identifyBody } from './identify-throughput.ts'
import { runLoad } from './lib/load.ts'
import { summarizeProfile } from './lib/summarize-profile.ts'
import { createTestSchema } from '../test/helpers/postgres.ts'

const seconds = Number(process.env.PARLEY_BENCH_SECONDS ?? 5)
const dir = mkdtempSync(join(tmpdir(), 'parley-profile-'))
const schema =
  process.env.PARLEY_BENCH_DATABASE === 'postgres' ? await createTestSchema() : undefined
const child = spawn(
  process.env.PARLEY_BENCH_NODE ?? process.execPath,
  ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--import', 'tsx', 'server/src/index.ts'],
  {
    cwd: resolve(import.meta.dirname, '..'),
    env: {
      ...process.env,
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      PARLEY_DATABASE_URL: schema?.url ?? `sqlite:${join(dir, 'bench.db')}`,
      PARLEY_WRITE_KEYS: 'bench-write-key',
      PARLEY_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  },
)
try {
  let output = ''
  const port = await new Promise<number>((done, fail) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const match = /"port":(\d+)/.exec(output)
      if (match?.[1] !== undefined) done(Number(match[1]))
    })
    child.once('exit', (code) => fail(new Error(`the container exited with ${String(code)}`)))
  })
  child.stdout.resume()
  const result = await runLoad({
    url: `http://127.0.0.1:${port}/v1/identify`,
    duration: seconds,
    headers: { authorization: `Basic ${Buffer.from('bench-write-key:').toString('base64')}` },
    body: identifyBody(),
  })
  console.log(
    `identify: ${Math.round(result.requestsPerSecond)} req/s, p99 ${result.p99Ms} ms, ` +
      `${result.non2xx + result.errors} non-2xx/errors (${seconds} s, 32 connections, profiler on)`,
  )
  await new Promise((done) => {
    child.once('exit', done)
    child.kill('SIGTERM')
  })
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'))) {
    const { busyMs, parts } = summarizeProfile(join(dir, file))
    const thread = parts.some(([part]) => part.startsWith('SQLite worker: '))
      ? 'SQLite worker thread'
      : parts.some(([part]) => part.startsWith('checkpoint worker: '))
        ? 'checkpointer thread'
        : parts.some(([part]) => part === 'npm: express')
          ? 'event loop (main thread)'
          : 'module loader thread (tsx, start-up only)'
    console.log(`\n${thread}: busy ${busyMs.toFixed(0)} ms of the run`)
    for (const [part, ms] of parts.slice(0, 14)) {
      console.log(`  ${((ms / busyMs) * 100).toFixed(1).padStart(5)} %  ${part}`)
    }
  }
} finally {
  if (child.exitCode === null) child.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
  await schema?.drop()
}
