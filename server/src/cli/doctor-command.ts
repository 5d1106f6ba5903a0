import { ConfigError, loadConfig } from '../config/env.ts'
import {
  PersonalizationConfigError,
  readPersonalizationConfig,
} from '../personalization/load-config.ts'
import { PersonalizationEngine } from '../personalization/engine.ts'
import { probeStore } from '../store/probe-store.ts'
import { redactDatabaseUrl } from '../store/open-store.ts'
import { exitCode, type CliIo } from './cli-io.ts'
import { describeConfig } from './describe-config.ts'

/** One line of the doctor's findings. */
export interface Finding {
  check: 'runtime' | 'environment' | 'config' | 'store' | 'schema' | 'clock'
  status: 'ok' | 'warn' | 'fail'
  detail: string
}

/** How far the database's clock may be from this machine's before `doctor` fails. Default 5 s. */
export const maxClockSkewMs = 5_000

/**
 * `parley doctor`: the runtime, the environment as the container would parse it, the
 * personalisation file, whether the store answers and at which schema version, and the clock
 * (against the database's, for PostgreSQL). Changes nothing. Exits 1 when a check fails.
 */
export async function doctorCommand(
  io: CliIo,
  options: { json: boolean; clock: () => number },
): Promise<number> {
  const findings: Finding[] = []
  const add = (check: Finding['check'], status: Finding['status'], detail: string) =>
    findings.push({ check, status, detail })
  let settings: [string, string][] = []

  const [major = 0] = process.versions.node.split('.').map(Number)
  add(
    'runtime',
    major === 20 || major === 24 ? 'ok' : 'warn',
    `node ${process.version} on ${process.platform} ${process.arch}${major === 20 || major === 24 ? '' : ' (tested: 20 and 24)'}`,
  )

  let config
  try {
    config = loadConfig(io.env)
    settings = describeConfig(config)
    add('environment', 'ok', 'valid')
    if (config.demoDefaults.length > 0) {
      add('environment', 'warn', `demo values for ${config.demoDefaults.join(', ')}`)
    }
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    for (const line of error.message.split('\n').slice(1)) add('environment', 'fail', line.trim())
  }

  if (config !== undefined) {
    try {
      const engine = new PersonalizationEngine(
        readPersonalizationConfig(config.personalizationFile),
      )
      add(
        'config',
        'ok',
        `${config.personalizationFile}: ${engine.config.segments.length} segments, ${engine.config.experiences.length} experiences${config.configSource === 'store' ? ' (seeds an empty store; the store holds the config in force)' : ' (pinned: the config in force)'}`,
      )
    } catch (error) {
      if (!(error instanceof PersonalizationConfigError)) throw error
      for (const issue of error.issues)
        add('config', 'fail', `${config.personalizationFile}: ${issue}`)
    }

    const where = redactDatabaseUrl(config.databaseUrl)
    const now = options.clock()
    try {
      const probe = await probeStore(config)
      const answers =
        probe.server !== undefined
          ? `answers (PostgreSQL ${probe.server.version})`
          : probe.exists
            ? 'answers'
            : 'has no file yet; its folder is writable'
      add('store', 'ok', `${where} ${answers}`)
      if (probe.schemaVersion > probe.latestVersion) {
        add(
          'schema',
          'fail',
          `version ${probe.schemaVersion}, newer than this Parley knows (${probe.latestVersion})`,
        )
      } else if (!probe.exists) {
        add('schema', 'warn', `not created yet: run parley migrate (or the first start creates it)`)
      } else if (probe.schemaVersion < probe.latestVersion) {
        add(
          'schema',
          'warn',
          `version ${probe.schemaVersion} of ${probe.latestVersion}: run parley migrate`,
        )
      } else {
        add('schema', 'ok', `version ${probe.schemaVersion} of ${probe.latestVersion}`)
      }
      if (probe.server !== undefined) {
        const skew = Math.round(probe.server.now - probe.server.localNow)
        add(
          'clock',
          Math.abs(skew) > maxClockSkewMs ? 'fail' : 'ok',
          `${new Date(now).toISOString()}; the database's clock is ${skew >= 0 ? '+' : ''}${skew} ms from this machine's (at most ±${maxClockSkewMs} ms)`,
        )
      }
    } catch (error) {
      add('store', 'fail', `${where} does not answer: ${(error as Error).message}`)
    }
    if (!findings.some((finding) => finding.check === 'clock')) {
      add('clock', 'ok', new Date(now).toISOString())
    }
  }

  const failed = findings.some((finding) => finding.status === 'fail')
  if (options.json) {
    io.out(JSON.stringify({ ok: !failed, findings, settings: Object.fromEntries(settings) }))
  } else {
    for (const f of findings) io.out(`${f.status.padEnd(5)} ${f.check.padEnd(12)} ${f.detail}`)
    if (settings.length > 0) {
      io.out('')
      io.out('settings in force:')
      const width = Math.max(...settings.map(([name]) => name.length))
      for (const [name, value] of settings) io.out(`  ${name.padEnd(width)}  ${value}`)
    }
  }
  return failed ? exitCode.failed : exitCode.ok
}
