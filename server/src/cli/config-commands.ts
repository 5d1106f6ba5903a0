import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { stringify } from 'yaml'
import type { Config } from '../config/env.ts'
import { summarizeDiff } from '../config-versions/config-diff.ts'
import type { ConfigVersion } from '../config-versions/config-version.ts'
import { publishConfig } from '../config-versions/publish-config.ts'
import { AppError } from '../errors/app-error.ts'
import {
  parsePersonalizationConfig,
  PersonalizationConfigError,
} from '../personalization/load-config.ts'
import { redactDatabaseUrl } from '../store/open-store.ts'
import { exitCode, type CliIo } from './cli-io.ts'
import { withStore, type StoreConfig } from './with-store.ts'

/** Who `parley config import` records as a version's author by default. */
export const importAuthor = 'operator (parley config import)'

/**
 * `parley config export [--version N] [--format yaml|json] [--out FILE]`: a config version (the
 * newest by default) as the YAML (or JSON) file the loader reads, to FILE or stdout. YAML starts
 * with a comment naming the version.
 */
export async function configExportCommand(
  config: StoreConfig,
  io: CliIo,
  options: { version?: number; format: 'yaml' | 'json'; out?: string },
): Promise<number> {
  const where = redactDatabaseUrl(config.databaseUrl)
  const version = await withStore(config, (store) =>
    store.read((reader) =>
      options.version === undefined
        ? reader.latestConfigVersion()
        : reader.configVersion(options.version),
    ),
  )
  if (version === undefined) {
    io.err(
      options.version === undefined
        ? `${where} holds no config version yet: the container seeds it from PARLEY_CONFIG at its first start, or run parley config import FILE`
        : `${where} has no config version ${options.version}`,
    )
    return exitCode.failed
  }
  const text =
    options.format === 'json'
      ? `${JSON.stringify(version.document, null, 2)}\n`
      : `${heading(version)}${stringify(version.document)}`
  if (options.out === undefined) {
    process.stdout.write(text)
    io.err(`exported config version ${version.number} from ${where}`)
  } else {
    // Written aside and renamed: a reader never sees half a file.
    writeFileSync(`${options.out}.partial`, text)
    renameSync(`${options.out}.partial`, options.out)
    io.out(`exported config version ${version.number} from ${where} to ${options.out}`)
  }
  return exitCode.ok
}

/**
 * `parley config import FILE [--note TEXT] [--author NAME]`: checks FILE with the loader and
 * publishes it as the next version (in force on every instance within the propagation bound).
 * Refused, writing nothing, when the file has a problem (each printed with its path) or when
 * `PARLEY_CONFIG_SOURCE=file` pins the config to a file.
 */
export async function configImportCommand(
  config: StoreConfig & Pick<Config, 'configSource' | 'personalizationFile'>,
  io: CliIo,
  options: { file: string; note?: string; author?: string },
): Promise<number> {
  if (config.configSource === 'file') {
    io.err(
      `PARLEY_CONFIG_SOURCE=file pins the config to ${config.personalizationFile}: change that file instead, or unset PARLEY_CONFIG_SOURCE to keep the config in the store; nothing was imported`,
    )
    return exitCode.failed
  }
  let text: string
  try {
    text = readFileSync(options.file, 'utf8')
  } catch (error) {
    io.err(`${options.file}: cannot read the file: ${(error as Error).message}`)
    return exitCode.failed
  }
  let document
  try {
    document = parsePersonalizationConfig(text, options.file)
  } catch (error) {
    if (!(error instanceof PersonalizationConfigError)) throw error
    io.err(
      `${options.file}: ${error.issues.length} problem${error.issues.length === 1 ? '' : 's'}; nothing was imported`,
    )
    for (const issue of error.issues) io.err(`  ${issue}`)
    return exitCode.failed
  }
  const where = redactDatabaseUrl(config.databaseUrl)
  return withStore(config, async (store) => {
    const base = await store.read((reader) => reader.latestConfigVersionNumber())
    let published
    try {
      published = await store.transaction((tx) =>
        publishConfig(tx, {
          document,
          baseVersion: base,
          kind: 'import',
          author: options.author ?? importAuthor,
          at: Date.now(),
          note: options.note ?? `Imported from ${options.file}`,
        }),
      )
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error
      io.err(`parley config import: ${error.message}`)
      return exitCode.failed
    }
    io.out(
      `imported ${options.file} into ${where} as config version ${published.version.number}: ${summarizeDiff(published.diff)}`,
    )
    for (const impact of published.impacts) io.out(`  ${impact.message}`)
    return exitCode.ok
  })
}

/** `# Parley config version 3, published by ann at 2026-06-01T12:00:00.000Z: note` */
function heading(version: ConfigVersion): string {
  const note = version.note === '' ? '' : `: ${version.note.replace(/\s+/g, ' ')}`
  return `# Parley config version ${version.number}, ${version.kind} by ${version.author} at ${new Date(version.at).toISOString()}${note}\n`
}
