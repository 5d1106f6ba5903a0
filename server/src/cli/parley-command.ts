import { parseArgs } from 'node:util'
import { ConfigError, loadConfig } from '../config/env.ts'
import { configExportCommand, configImportCommand } from './config-commands.ts'
import { userAddCommand, userListCommand, userRemoveCommand } from './user-commands.ts'
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
  config export [--version N] [--format yaml|json] [--out FILE]
                       write a personalisation config version (the newest by default) as the
                       file the loader reads (stdout without --out)
  config import FILE [--note TEXT] [--author NAME]
                       check FILE and publish it as the next config version, live on every
                       instance within 2 s (refused with PARLEY_CONFIG_SOURCE=file)
  user add NAME --role editor|viewer [--password-stdin] [--replace]
                       add a console user (the password from stdin, or generated and printed
                       once); --replace changes an existing user's role and password
  user remove NAME     remove a console user; their sessions end at once
  user list            the console users and their roles
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
  if (command === 'config') return configCommand(rest, io)
  if (command === 'user') return userCommand(rest, io)
  return wrongUsage(io, `unknown command "${command}"`)
}

/** `parley config export|import …` */
function configCommand(args: readonly string[], io: CliIo): Promise<number> | number {
  const [sub, ...rest] = args
  if (sub === 'export') {
    const parsed = parse(rest, { version: 'string', format: 'string', out: 'string' })
    if (typeof parsed === 'string' || parsed.positionals.length > 0) {
      return wrongUsage(
        io,
        `config export: ${typeof parsed === 'string' ? parsed : 'takes no FILE (use --out)'}`,
      )
    }
    const [version, format = 'yaml', out] = ['version', 'format', 'out'].map((name) =>
      text(parsed.values[name]),
    )
    const number = version === undefined ? undefined : Number(version)
    if (number !== undefined && !(Number.isInteger(number) && number > 0)) {
      return wrongUsage(io, 'config export: --version takes a version number')
    }
    if (format !== 'yaml' && format !== 'json') {
      return wrongUsage(io, 'config export: --format is yaml or json')
    }
    return withConfig(io, 'config export', (config) =>
      configExportCommand(config, io, {
        format,
        ...(number === undefined ? {} : { version: number }),
        ...(out === undefined ? {} : { out }),
      }),
    )
  }
  if (sub === 'import') {
    const parsed = parse(rest, { note: 'string', author: 'string' })
    if (typeof parsed === 'string') return wrongUsage(io, `config import: ${parsed}`)
    const [file, ...extra] = parsed.positionals
    if (file === undefined || extra.length > 0)
      return wrongUsage(io, 'config import takes one FILE')
    const [note, author] = [text(parsed.values.note), text(parsed.values.author)]
    return withConfig(io, 'config import', (config) =>
      configImportCommand(config, io, {
        file,
        ...(note === undefined ? {} : { note }),
        ...(author === undefined ? {} : { author }),
      }),
    )
  }
  return wrongUsage(io, 'config takes export or import')
}

/** `parley user add|remove|list …` */
function userCommand(args: readonly string[], io: CliIo): Promise<number> | number {
  const [sub, ...rest] = args
  const parsed = parse(rest, { role: 'string', 'password-stdin': 'boolean', replace: 'boolean' })
  if (typeof parsed === 'string') return wrongUsage(io, `user ${sub ?? ''}: ${parsed}`)
  const [name, ...extra] = parsed.positionals
  if (sub === 'list') {
    if (parsed.positionals.length > 0) return wrongUsage(io, 'user list takes no arguments')
    return withConfig(io, 'user list', (config) => userListCommand(config, io))
  }
  if (sub !== 'add' && sub !== 'remove') return wrongUsage(io, 'user takes add, remove or list')
  if (name === undefined || extra.length > 0) return wrongUsage(io, `user ${sub} takes one NAME`)
  if (sub === 'remove') {
    return withConfig(io, 'user remove', (config) => userRemoveCommand(config, io, name))
  }
  const role = parsed.values.role
  if (role !== 'editor' && role !== 'viewer') {
    return wrongUsage(io, 'user add needs --role editor or --role viewer')
  }
  return withConfig(io, 'user add', (config) =>
    userAddCommand(config, io, {
      name,
      role,
      passwordFromStdin: parsed.values['password-stdin'] === true,
      replace: parsed.values.replace === true,
    }),
  )
}

/** A string option's value (`parse` declared it a string). */
function text(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined
}

/**
 * Positional arguments and `--name value` / `--switch` options (node's `parseArgs`, strict);
 * a string says what is wrong.
 */
function parse(
  args: readonly string[],
  options: Record<string, 'string' | 'boolean'>,
): { positionals: string[]; values: Record<string, string | boolean | undefined> } | string {
  try {
    const { positionals, values } = parseArgs({
      args: [...args],
      options: Object.fromEntries(Object.entries(options).map(([name, type]) => [name, { type }])),
      allowPositionals: true,
      strict: true,
    })
    return { positionals, values: values }
  } catch (error) {
    return (error as Error).message.split('\n', 1)[0] ?? 'bad arguments'
  }
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
