import { z } from 'zod'

/**
 * What the audit log records: every change to the config (publish, rollback, seed, import, a
 * status change) and to the console's people.
 */
export const auditActions = [
  'publish',
  'rollback',
  'seed',
  'import',
  'status',
  'user.add',
  'user.update',
  'user.remove',
] as const
export type AuditAction = (typeof auditActions)[number]

/** One line of the audit log. */
export interface AuditEntry {
  /** Increasing with every entry; the newest has the highest. */
  seq: number
  at: number
  /** Who did it: a console user's name, `operator`, or the `parley` command. */
  actor: string
  action: AuditAction
  /** For config changes: the version in force before, and the one made (null for users). */
  fromVersion: number | null
  toVersion: number | null
  /** What it was about: an experience id (status), a user name (user changes); else null. */
  subject: string | null
  /** One plain sentence: what changed. */
  summary: string
}

/** An entry before the store numbers it. */
export type NewAuditEntry = Omit<AuditEntry, 'seq'>

/** An audit entry's shape, for the export format and the console API's description. */
export const auditEntrySchema = z.object({
  seq: z.number().int(),
  at: z.number(),
  actor: z.string(),
  action: z.enum(auditActions),
  fromVersion: z.number().int().nullable(),
  toVersion: z.number().int().nullable(),
  subject: z.string().nullable(),
  summary: z.string(),
})
