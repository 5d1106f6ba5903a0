import type { AuditEntry } from '../audit/audit-entry.ts'
import { diffConfigs, summarizeDiff } from '../config-versions/config-diff.ts'
import { versionMeta, type ConfigVersionMeta } from '../config-versions/config-version.ts'
import type { StoreReader } from '../store/store.ts'

/** A version in the history: who, when, the note, and its change from the one before. */
export type HistoryEntry = ConfigVersionMeta & { summary: string }

/**
 * One page of the version history, newest first: `limit` versions older than `before` (from the
 * newest without it), each summarised against the version before it, and the `next` page's
 * `before` (null on the last page). The console API and the versions page read the same; so for `readAudit`.
 */
export async function readHistory(
  reader: StoreReader,
  before: number | null,
  limit: number,
): Promise<{ versions: HistoryEntry[]; next: number | null }> {
  // One more than the page, so the oldest version on it is summarised against its predecessor.
  const rows = await reader.configVersions(before, limit + 1)
  const page = rows.slice(0, limit)
  const versions = page.map((version, index) => ({
    ...versionMeta(version),
    summary: summarizeDiff(diffConfigs(rows[index + 1]?.document, version.document)),
  }))
  const last = page.at(-1)
  return { versions, next: rows.length > limit && last !== undefined ? last.number : null }
}

/** One page of the audit log, newest first, and the `next` page's `before`. */
export async function readAudit(
  reader: StoreReader,
  before: number | null,
  limit: number,
): Promise<{ entries: AuditEntry[]; next: number | null }> {
  const rows = await reader.auditLog(before, limit + 1)
  const entries = rows.slice(0, limit)
  const last = entries.at(-1)
  return { entries, next: rows.length > limit && last !== undefined ? last.seq : null }
}
