import { execFile } from 'node:child_process'
import { resolve } from 'node:path'

const root = resolve(import.meta.dirname, '../..')

/** What a `parley` run printed and how it exited. */
export interface Run {
  code: number
  stdout: string
  stderr: string
}

/**
 * Runs `bin/parley.js` as an operator would, with only the given Parley variables set; `input`
 * is written to its stdin (a password for `--password-stdin`).
 */
export function parley(
  args: string[],
  env: Record<string, string> = {},
  input?: string,
): Promise<Run> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !name.startsWith('PARLEY_') && name !== 'NODE_ENV',
    ),
  )
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      ['bin/parley.js', ...args],
      { cwd: root, env: { ...base, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1
        done({ code, stdout, stderr })
      },
    )
    child.stdin?.end(input ?? '')
  })
}
