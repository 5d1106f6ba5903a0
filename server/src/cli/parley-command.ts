import { ConfigError, loadConfig } from '../config/env.ts'
import { checkConfigCommand } from './check-config-command.ts'
import { exitCode, type CliIo } from './cli-io.ts'
import { doctorCommand } from './doctor-command.ts'
import { migrateCommand } from './migrate-command.ts'
import { exportCommand, importCommand, moveCommand } from './transfer-commands.ts'

export const usage = `Usage: parley <command>

Commands:
  migrate              apply the store's pending migrations (PARLEY_DATABASE_URL) and exit
  check-config FILE    validate a personalisation file; prints each problem with its path
  doctor [--json]      check the runtime, environment, personalisation file, store, schema
                       version and clock, changing nothing
  export [--out FILE]  write every record of the store as NDJSON (stdout without --out)
  import [--in FILE]   read an export (stdin without --in) into the store, which must be empty
  move --from URL --to URL
                       copy every record of one store into another (empty) one, then compare
                       the counts of each kind
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
    return withConfig(io, command, (config) => migrateCommand(config, io))
  }
  if (command === 'export' || command === 'import') {
    const flag = command === 'export' ? '--out' : '--in'
    const flags = parseFlags(rest, [flag])
    if (typeof flags === 'string') return wrongUsage(io, `${command}: ${flags}`)
    const file = flags.get(flag)
    return withConfig(io, command, (config) =>
      command === 'export'
        ? exportCommand(config, io, file === undefined ? {} : { out: file })
        : importCommand(config, io, file === undefined ? {} : { in: file }),
    )
  }
  if (command === 'move') {
    const flags = parseFlags(rest, ['--from', '--to'])
    if (typeof flags === 'string') return wrongUsage(io, `move: ${flags}`)
    const from = flags.get('--from')
    const to = flags.get('--to')
    if (from === undefined || to === undefined) {
      return wrongUsage(io, 'move takes --from URL and --to URL')
    }
    return withConfig(io, command, (config) => moveCommand(config, io, { from, to }))
  }
  return wrongUsage(io, `unknown command "${command}"`)
}

/** Runs a command on the environment's settings; a bad setting or a failed step exits 1. */
async function withConfig(
  io: CliIo,
  command: string,
  run: (config: ReturnType<typeof loadConfig>) => Promise<number>,
): Promise<number> {
  try {
    return await run(loadConfig(io.env))
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(`parley: ${error.message}`)
      return exitCode.failed
    }
    io.err(`parley ${command}: ${(error as Error).message}`)
    return exitCode.failed
  }
}

/** `--name value` pairs, each of `allowed` at most once; a string says what is wrong. */
function parseFlags(
  args: readonly string[],
  allowed: readonly string[],
): Map<string, string> | string {
  const flags = new Map<string, string>()
  for (let i = 0; i < args.length; i += 2) {
    const name = args[i] ?? ''
    const value = args[i + 1]
    if (!allowed.includes(name)) return `unknown argument "${name}"`
    if (value === undefined || value.startsWith('--')) return `${name} needs a value`
    if (flags.has(name)) return `${name} given twice`
    flags.set(name, value)
  }
  return flags
}

function wrongUsage(io: CliIo, problem: string): number {
  io.err(`parley: ${problem}`)
  io.err(usage)
  return exitCode.usage
}
