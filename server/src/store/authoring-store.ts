import type { AuditEntry, NewAuditEntry } from '../audit/audit-entry.ts'
import { auditActions } from '../audit/audit-entry.ts'
import { versionKinds, type ConfigVersion } from '../config-versions/config-version.ts'
import { roles, userNamePattern, type ConsoleUser } from '../console-users/console-user.ts'
import { invalidConfig } from '../config-versions/invalid-config.ts'
import { validatePersonalizationConfig } from '../personalization/load-config.ts'

/*
 * What the console's authoring keeps in the store: config versions, the audit log, and the
 * people who sign in. Every engine implements the raw reads and writes in a file of its own
 * (`memory/memory-authoring.ts`, `sqlite/sqlite-authoring.ts`, `postgres/postgres-authoring.ts`)
 * and wraps its writes in `guardAuthoringWrites`, so no engine can store a config the loader
 * would refuse.
 */

/** Reads of versions, the audit log and console users. */
export interface AuthoringReads {
  /** The newest config version (the one in force), or undefined in a store that has none. */
  latestConfigVersion(): Promise<ConfigVersion | undefined>
  /** The newest version's number, or null: the cheap read instances poll. */
  latestConfigVersionNumber(): Promise<number | null>
  configVersion(number: number): Promise<ConfigVersion | undefined>
  /** Versions newest first, numbered below `before` (null: from the newest), at most `limit`. */
  configVersions(before: number | null, limit: number): Promise<ConfigVersion[]>
  /** Audit entries newest first, `seq` below `before` (null: from the newest), at most `limit`. */
  auditLog(before: number | null, limit: number): Promise<AuditEntry[]>
  consoleUser(name: string): Promise<ConsoleUser | undefined>
  /** Every console user, by name. */
  consoleUsers(): Promise<ConsoleUser[]>
}

/** Writes, inside a transaction. */
export interface AuthoringWrites {
  /**
   * Stores a version as given, after the loader's validation (an invalid document is refused
   * with `invalid_config` and its issues, and nothing is written). Fails when its number is
   * taken: take the `config` lock and read the latest first (`config-versions/publish.ts`).
   */
  appendConfigVersion(version: ConfigVersion): Promise<void>
  appendAuditEntry(entry: NewAuditEntry): Promise<void>
  /** Inserts or replaces a user by name. */
  putConsoleUser(user: ConsoleUser): Promise<void>
  /** Removes a user; false when there was none. */
  deleteConsoleUser(name: string): Promise<boolean>
}

/** The lock name publishers take, so two of them queue instead of racing for a number. */
export const configLock = 'config'

/**
 * The store boundary of authoring writes: the document is validated by the loader (and stored
 * as its output, defaults filled in), and the other records are checked for shape. A
 * programming error here throws; a config a person wrote answers `invalid_config`.
 */
export function guardAuthoringWrites(raw: AuthoringWrites): AuthoringWrites {
  return {
    appendConfigVersion: async (version) => {
      const checked = validatePersonalizationConfig(version.document)
      if (!checked.ok) throw invalidConfig(checked.issues, 'stored')
      if (!Number.isSafeInteger(version.number) || version.number < 1) {
        throw new Error(`a config version number must be a positive integer, not ${version.number}`)
      }
      if (!versionKinds.includes(version.kind))
        throw new Error(`unknown version kind ${version.kind}`)
      await raw.appendConfigVersion({ ...version, document: checked.config })
    },
    appendAuditEntry: async (entry) => {
      if (!auditActions.includes(entry.action))
        throw new Error(`unknown audit action ${entry.action}`)
      await raw.appendAuditEntry(entry)
    },
    putConsoleUser: async (user) => {
      if (!userNamePattern.test(user.name)) throw new Error(`invalid user name ${user.name}`)
      if (!roles.includes(user.role)) throw new Error(`unknown role ${user.role}`)
      await raw.putConsoleUser(user)
    },
    deleteConsoleUser: (name) => raw.deleteConsoleUser(name),
  }
}
