import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

/** A container started the way an operator starts it: `tsx server/src/index.ts` in a child process. */
export interface RunningContainer {
  url: string
  port: number
  process: ChildProcess
  dataDir: string
  /** Everything the process wrote to stdout and stderr so far. */
  output: () => string
  /**
   * Resolves once the output contains `text`; rejects with the output after `ms` (default
   * 5,000). A log line reaches the test through a pipe, so it may arrive after an answer the
   * process sent later.
   */
  waitForOutput: (text: string, ms?: number) => Promise<void>
  /** SIGTERM, wait for exit (SIGKILL after 10 s), remove the data directory unless `keepData`. */
  stop: (options?: { keepData?: boolean }) => Promise<number | null>
}

const root = resolve(import.meta.dirname, '../..')

/** Demo credentials the started containers use unless `env` overrides them. */
export const testCredentials = {
  writeKey: 'test-write-key',
  adminToken: 'test-admin-token-0123456789',
  cookieSecret: 'test-cookie-secret-0123456789-abcdefghij',
} as const

/**
 * Starts a real container on a free port with its own SQLite file, and resolves once it listens.
 * `env` adds or overrides variables (e.g. `PARLEY_DATABASE_URL`); `undefined` unsets one.
 * `terminal: true` runs it on a pseudo-terminal through util-linux `script(1)`, as an operator's
 * shell would; stopping it ends `script`, and the container gets SIGHUP with its terminal.
 */
export async function startContainer(
  env: Record<string, string | undefined> = {},
  options: { terminal?: boolean } = {},
): Promise<RunningContainer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-test-'))
  const [command, args] =
    options.terminal === true
      ? [
          'script',
          ['-qfec', `exec ${process.execPath} --import tsx server/src/index.ts`, '/dev/null'],
        ]
      : [process.execPath, ['--import', 'tsx', 'server/src/index.ts']]
  const child = spawn(command, args, {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      PARLEY_DATABASE_URL: `sqlite:${join(dataDir, 'parley.db')}`,
      PARLEY_WRITE_KEYS: testCredentials.writeKey,
      PARLEY_ADMIN_TOKEN: testCredentials.adminToken,
      PARLEY_COOKIE_SECRET: testCredentials.cookieSecret,
      PARLEY_LOG_LEVEL: 'info',
      ...env,
    },
    // script(1) needs an open stdin: at its end of input it would end the session.
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)))

  const port = await new Promise<number>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`container did not start:\n${output}`)), 20_000)
    const onData = () => {
      const match = /"port":(\d+)/.exec(output)
      if (match?.[1] !== undefined) {
        clearTimeout(timer)
        done(Number(match[1]))
      }
    }
    child.stdout.on('data', onData)
    void exited.then((code) => {
      clearTimeout(timer)
      fail(new Error(`container exited with ${String(code)} before listening:\n${output}`))
    })
  })

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    process: child,
    dataDir,
    output: () => output,
    waitForOutput: (text, ms = 5_000) =>
      new Promise<void>((done, fail) => {
        const check = () => {
          if (!output.includes(text)) return
          clearTimeout(timer)
          child.stdout.off('data', check)
          child.stderr.off('data', check)
          done()
        }
        const timer = setTimeout(() => {
          child.stdout.off('data', check)
          child.stderr.off('data', check)
          fail(new Error(`no ${JSON.stringify(text)} in ${ms} ms:\n${output}`))
        }, ms)
        child.stdout.on('data', check)
        child.stderr.on('data', check)
        check()
      }),
    stop: async (options = {}) => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      const code = await exited
      clearTimeout(killer)
      if (options.keepData !== true) rmSync(dataDir, { recursive: true, force: true })
      return code
    },
  }
}

/**
 * Starts several containers at once with the same `env`. If any fails to start, the ones that
 * did are stopped before the error is thrown, so a failed start never leaves a process behind.
 */
export async function startContainers(
  count: number,
  env: Record<string, string> = {},
): Promise<RunningContainer[]> {
  const results = await Promise.allSettled(Array.from({ length: count }, () => startContainer(env)))
  const started = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))
  const failure = results.find((result) => result.status === 'rejected')
  if (failure !== undefined) {
    await Promise.all(started.map((container) => container.stop()))
    throw failure.reason
  }
  return started
}
