import { ConfigError, loadConfig } from '../config/env.ts'
import { checkConfigCommand } from './check-config-command.ts'
import { exitCode, type CliIo } from './cli-io.ts'
import { doctorCommand } from './doctor-command.ts'
import { migrateCommand } from './migrate-command.ts'

export const usage = `Usage: parley <command>

Commands:
  migrate              apply the store's pending migrations (PARLEY_DATABASE_URL) and exit
  check-config FILE    validate a personalisation file; prints each problem with its path
  doctor [--json]      check the runtime, environment, personalisation file, store, schema
                       version and clock, changing nothing
  help, --help         this text

Settings come from the environment, as for the container (docs/operations.md).
Exit codes: 0 ok, 1 a check or step failed, 2 a wrong command line.`

/** Runs one `parley` command line; resolves with its exit code. */
export async function runParley(args: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = args
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    io.out(usage)
    return command === undefined ? exitCode.usage : exitCode.ok
  }
  if (command === 'check-config') {
    const [file, ...extra] = rest
    if (file === undefined || extra.length > 0) return wrongUsage(io, 'check-config takes one FILE')
    return checkConfigCommand(file, io)
  }
  if (command === 'doctor') {
    const json = rest.includes('--json')
    if (rest.some((arg) => arg !== '--json')) return wrongUsage(io, 'doctor takes only --json')
    return doctorCommand(io, { json, clock: Date.now })
  }
  if (command === 'migrate') {
    if (rest.length > 0) return wrongUsage(io, 'migrate takes no arguments')
    try {
      return await migrateCommand(loadConfig(io.env), io)
    } catch (error) {
      if (error instanceof ConfigError) {
        io.err(`parley: ${error.message}`)
        return exitCode.failed
      }
      io.err(`parley migrate: ${(error as Error).message}`)
      return exitCode.failed
    }
  }
  return wrongUsage(io, `unknown command "${command}"`)
}

function wrongUsage(io: CliIo, problem: string): number {
  io.err(`parley: ${problem}`)
  io.err(usage)
  return exitCode.usage
}
