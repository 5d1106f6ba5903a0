import { createReadStream, createWriteStream, renameSync, rmSync } from 'node:fs'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import type { Writable } from 'node:stream'
import type { Config } from '../config/env.ts'
import { openStore, redactDatabaseUrl } from '../store/open-store.ts'
import { probeStore } from '../store/probe-store.ts'
import { recordKinds } from '../store/store-records.ts'
import type { Store } from '../store/store.ts'
import { ExportLineError, exportFormatVersion, formatLine } from '../transfer/export-format.ts'
import {
  countRecords,
  emptyCounts,
  readRecords,
  storeIsEmpty,
  type KindCounts,
} from '../transfer/store-stream.ts'
import { parseExport, writeInBatches } from '../transfer/write-batches.ts'
import { exitCode, type CliIo } from './cli-io.ts'

type StoreConfig = Parameters<typeof openStore>[0] & Pick<Config, 'databaseUrl'>

/**
 * `parley export [--out FILE]`: every record of the store `PARLEY_DATABASE_URL` names, as
 * NDJSON (docs/operations.md), to FILE or stdout. A file is written aside and renamed when
 * complete, so a failed export never leaves a file that looks whole.
 */
export async function exportCommand(
  config: StoreConfig,
  io: CliIo,
  options: { out?: string },
): Promise<number> {
  const probe = await probeStore(config)
  const store = await openStore(config)
  const partial = options.out === undefined ? undefined : `${options.out}.partial`
  const output: Writable = partial === undefined ? process.stdout : createWriteStream(partial)
  const counts = emptyCounts()
  try {
    await writeLine(
      output,
      formatLine({
        kind: 'header',
        format: 'parley-export',
        version: exportFormatVersion,
        engine: store.engine,
        schemaVersion: probe.schemaVersion,
        exportedAt: new Date().toISOString(),
      }),
    )
    for await (const record of readRecords(store)) {
      await writeLine(output, formatLine(record))
      counts[record.kind] += 1
    }
    if (partial !== undefined && options.out !== undefined) {
      output.end()
      await once(output, 'finish')
      renameSync(partial, options.out)
    }
  } catch (error) {
    if (partial !== undefined) {
      output.destroy()
      rmSync(partial, { force: true })
    }
    throw error
  } finally {
    await store.close()
  }
  // With the export on stdout, the summary goes to stderr.
  const say = options.out === undefined ? io.err : io.out
  say(`exported ${describeCounts(counts)} from ${redactDatabaseUrl(config.databaseUrl)}`)
  return exitCode.ok
}

/**
 * `parley import [--in FILE]`: an export (FILE or stdin) into the store `PARLEY_DATABASE_URL`
 * names, migrated first, in batches of one transaction each. Only into an empty store: a store
 * holding any record is refused (exit 1) and left as it was. A file is checked whole before
 * anything is written, so a bad line writes nothing; from stdin, the batches before the bad
 * line's stay written and the command says how many.
 */
export async function importCommand(
  config: StoreConfig,
  io: CliIo,
  options: { in?: string },
): Promise<number> {
  const lines = () =>
    createInterface({
      input: options.in === undefined ? process.stdin : createReadStream(options.in),
      crlfDelay: Infinity,
    })
  if (options.in !== undefined) {
    const failed = await badLine(io, async () => {
      for await (const record of parseExport(lines())) void record
    })
    if (failed) return exitCode.failed
  }
  const store = await openStore(config)
  const where = redactDatabaseUrl(config.databaseUrl)
  try {
    if (!(await storeIsEmpty(store))) {
      io.err(refusal(where))
      return exitCode.failed
    }
    let counts: KindCounts | undefined
    const failed = await badLine(io, async () => {
      counts = await writeInBatches(store, parseExport(lines()))
    })
    if (failed) {
      const written = await countRecords(store)
      io.err(
        `${where}: nothing of the bad line's batch was written; ${describeCounts(written)} from earlier batches were. Empty the store before importing again.`,
      )
      return exitCode.failed
    }
    io.out(`imported ${describeCounts(counts ?? emptyCounts())} into ${where}`)
    return exitCode.ok
  } finally {
    await store.close()
  }
}

/**
 * `parley move --from URL --to URL`: streams every record of one store into another (migrated
 * first, and empty), then counts each kind in the target and compares it with what was read.
 * Exits 1 when a count differs.
 */
export async function moveCommand(
  config: StoreConfig,
  io: CliIo,
  options: { from: string; to: string },
): Promise<number> {
  const fromWhere = redactDatabaseUrl(options.from)
  const toWhere = redactDatabaseUrl(options.to)
  const source = await openStore({ ...config, databaseUrl: options.from })
  let target: Store | undefined
  try {
    target = await openStore({ ...config, databaseUrl: options.to })
    if (!(await storeIsEmpty(target))) {
      io.err(refusal(toWhere))
      return exitCode.failed
    }
    const moved = await writeInBatches(target, readRecords(source))
    const found = await countRecords(target)
    let same = true
    for (const kind of recordKinds) {
      const ok = moved[kind] === found[kind]
      same &&= ok
      io.out(`${ok ? 'ok  ' : 'DIFF'} ${kind.padEnd(11)} read ${moved[kind]}, found ${found[kind]}`)
    }
    if (!same) {
      io.err(`${fromWhere} -> ${toWhere}: the counts differ (see above)`)
      return exitCode.failed
    }
    io.out(`moved ${describeCounts(moved)} from ${fromWhere} to ${toWhere}; the counts match`)
    return exitCode.ok
  } finally {
    await source.close()
    await target?.close()
  }
}

function refusal(where: string): string {
  return `${where} is not empty: import and move write only into an empty store (a new SQLite file, or a new PostgreSQL database or schema); nothing was written`
}

/** Runs `work`; an `ExportLineError` is reported (with its line) and answered true. */
async function badLine(io: CliIo, work: () => Promise<void>): Promise<boolean> {
  try {
    await work()
    return false
  } catch (error) {
    if (!(error instanceof ExportLineError)) throw error
    io.err(`parley import: ${error.message}`)
    return true
  }
}

async function writeLine(output: Writable, line: string): Promise<void> {
  if (!output.write(`${line}\n`)) await once(output, 'drain')
}

function describeCounts(counts: KindCounts): string {
  const total = recordKinds.reduce((sum, kind) => sum + counts[kind], 0)
  return `${total} records (${recordKinds.map((kind) => `${counts[kind]} ${kind}`).join(', ')})`
}
