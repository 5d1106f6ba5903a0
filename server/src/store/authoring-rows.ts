import type { AuditAction, AuditEntry, NewAuditEntry } from '../audit/audit-entry.ts'
import type { ConfigVersion, VersionKind } from '../config-versions/config-version.ts'
import type { ConsoleUser, Role } from '../console-users/console-user.ts'
import type { PersonalizationConfig } from '../personalization/config-schema.ts'
import type { Row } from './store-rows.ts'

/*
 * Row mappers of the authoring tables, shared by SQLite and PostgreSQL (same columns, documents
 * as JSON text). The `…Params` functions list values in the column order of the engines' INSERTs.
 */

/** `(number, kind, author, at, note, base_version, restored_from, doc)` of a version. */
export function configVersionParams(version: ConfigVersion): unknown[] {
  return [
    version.number,
    version.kind,
    version.author,
    version.at,
    version.note,
    version.baseVersion,
    version.restoredFrom,
    JSON.stringify(version.document),
  ]
}

export function toConfigVersion(row: Row): ConfigVersion {
  return {
    number: Number(row.number),
    kind: row.kind as VersionKind,
    author: row.author as string,
    at: Number(row.at),
    note: row.note as string,
    baseVersion: nullableNumber(row.base_version),
    restoredFrom: nullableNumber(row.restored_from),
    // Validated before it was stored (`guardAuthoringWrites`).
    document: JSON.parse(row.doc as string) as PersonalizationConfig,
  }
}

/** `(at, actor, action, from_version, to_version, subject, summary)` of an audit entry. */
export function auditParams(entry: NewAuditEntry): unknown[] {
  return [
    entry.at,
    entry.actor,
    entry.action,
    entry.fromVersion,
    entry.toVersion,
    entry.subject,
    entry.summary,
  ]
}

export function toAuditEntry(row: Row): AuditEntry {
  return {
    seq: Number(row.seq),
    at: Number(row.at),
    actor: row.actor as string,
    action: row.action as AuditAction,
    fromVersion: nullableNumber(row.from_version),
    toVersion: nullableNumber(row.to_version),
    subject: (row.subject as string | null) ?? null,
    summary: row.summary as string,
  }
}

/** `(name, role, password_hash, created_at, updated_at)` of a console user. */
export function consoleUserParams(user: ConsoleUser): unknown[] {
  return [user.name, user.role, user.passwordHash, user.createdAt, user.updatedAt]
}

export function toConsoleUser(row: Row): ConsoleUser {
  return {
    name: row.name as string,
    role: row.role as Role,
    passwordHash: row.password_hash as string,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  }
}

function nullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value)
}
