import type { Config } from '../config/env.ts'
import { probeStore } from '../store/probe-store.ts'
import { openStore, redactDatabaseUrl } from '../store/open-store.ts'
import { exitCode, type CliIo } from './cli-io.ts'

/**
 * `parley migrate`: applies the store's pending migrations and exits, so a deploy pipeline can
 * migrate before the new containers start (they would otherwise migrate at start). Safe while
 * other instances run: PostgreSQL migrates under an advisory lock in one transaction.
 */
export async function migrateCommand(config: Config, io: CliIo): Promise<number> {
  const where = redactDatabaseUrl(config.databaseUrl)
  const before = await probeStore(config)
  if (before.schemaVersion > before.latestVersion) {
    io.err(
      `${where}: the schema is at version ${before.schemaVersion}, newer than this Parley knows (${before.latestVersion}); run the newer Parley`,
    )
    return exitCode.failed
  }
  const store = await openStore(config)
  await store.close()
  const after = await probeStore(config)
  io.out(
    after.schemaVersion === before.schemaVersion
      ? `${where}: schema already at version ${after.schemaVersion}, nothing to apply`
      : `${where}: schema migrated from version ${before.schemaVersion} to ${after.schemaVersion}`,
  )
  return exitCode.ok
}
