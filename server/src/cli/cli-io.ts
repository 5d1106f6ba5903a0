/** Where a command writes and what it reads: the process's by default, a test's own if given. */
export interface CliIo {
  env: NodeJS.ProcessEnv
  /** One line of the command's result, on stdout. */
  out: (line: string) => void
  /** One line of a problem, on stderr. */
  err: (line: string) => void
  /** Everything on stdin (a password given with `--password-stdin`). */
  readStdin: () => Promise<string>
}

/** Exit codes: 0 all good, 1 the check or step failed, 2 the command line was wrong. */
export const exitCode = { ok: 0, failed: 1, usage: 2 } as const
