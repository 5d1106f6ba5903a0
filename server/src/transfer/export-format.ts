import { z } from 'zod'
import { auditEntrySchema } from '../audit/audit-entry.ts'
import { versionKinds } from '../config-versions/config-version.ts'
import { roles } from '../console-users/console-user.ts'
import type { StoreRecord } from '../store/store-records.ts'

/*
 * The NDJSON export format: one JSON object a line. The first line is the header; every other
 * line is one record, `{"kind": …, "data": …}`, kinds in `recordKinds` order.
 */

/** The version of the export format this Parley writes and reads. */
export const exportFormatVersion = 1

export interface ExportHeader {
  kind: 'header'
  format: 'parley-export'
  version: number
  /** The engine the export was read from (`sqlite`, `postgres`, `memory`). */
  engine: string
  /** That store's schema version. */
  schemaVersion: number
  /** ISO 8601, UTC. */
  exportedAt: string
}

const headerSchema = z.object({
  kind: z.literal('header'),
  format: z.literal('parley-export'),
  version: z.number().int(),
  engine: z.string(),
  schemaVersion: z.number().int(),
  exportedAt: z.string(),
})

const id = z.string().min(1)
const ms = z.number().finite()
const object = z.record(z.string(), z.unknown())

const recordSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('profile'),
    data: z.object({
      id,
      userId: id.nullable(),
      account: object.nullable(),
      traits: object,
      visitor: object,
      createdAt: ms,
      updatedAt: ms,
    }),
  }),
  z.object({
    kind: z.literal('account'),
    data: z.object({ id, traits: object, createdAt: ms, updatedAt: ms, keys: z.array(id) }),
  }),
  z.object({
    kind: z.literal('device'),
    data: z.object({ anonymousId: id, profileId: id, linkedAt: ms }),
  }),
  z.object({
    kind: z.literal('mergeLog'),
    data: z.object({
      at: ms,
      kind: z.enum(['identified', 'merged', 'alias_added', 'detached']),
      fromProfileId: id.nullable(),
      intoProfileId: id,
      anonymousId: id.nullable(),
      userId: id.nullable(),
      reason: z.string(),
      messageId: z.string().nullable(),
    }),
  }),
  z.object({
    kind: z.literal('event'),
    data: z.object({
      profileId: id,
      type: z.enum(['page', 'track']),
      name: z.string().nullable(),
      at: ms,
      receivedAt: ms,
      messageId: z.string(),
      properties: object,
    }),
  }),
  z.object({
    kind: z.literal('impression'),
    data: z.object({
      profileId: id,
      experienceId: id,
      variation: id,
      control: z.boolean(),
      at: ms,
    }),
  }),
  z.object({
    kind: z.literal('conversion'),
    data: z.object({ profileId: id, experienceId: id, goal: id, at: ms }),
  }),
  z.object({
    kind: z.literal('suppression'),
    data: z.object({
      key: id,
      kind: z.enum(['userId', 'anonymousId', 'email']),
      reason: z.enum(['deleted', 'requested']),
      at: ms,
    }),
  }),
  // The document is checked by the loader when the target store writes it.
  z.object({
    kind: z.literal('configVersion'),
    data: z.object({
      number: z.number().int().positive(),
      kind: z.enum(versionKinds),
      author: z.string(),
      at: ms,
      note: z.string(),
      baseVersion: z.number().int().nullable(),
      restoredFrom: z.number().int().nullable(),
      document: object,
    }),
  }),
  z.object({ kind: z.literal('auditEntry'), data: auditEntrySchema }),
  z.object({
    kind: z.literal('consoleUser'),
    data: z.object({
      name: id,
      role: z.enum(roles),
      passwordHash: z.string(),
      createdAt: ms,
      updatedAt: ms,
    }),
  }),
])

/** A line that is not what the format says: its number (1-based) and what is wrong. */
export class ExportLineError extends Error {
  constructor(
    readonly line: number,
    problem: string,
  ) {
    super(`line ${line}: ${problem}`)
    this.name = 'ExportLineError'
  }
}

export function formatLine(value: ExportHeader | StoreRecord): string {
  return JSON.stringify(value)
}

function parseJson(text: string, line: number): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new ExportLineError(line, 'not a JSON object')
  }
}

function problem(error: z.ZodError): string {
  const issue = error.issues[0]
  const path = issue?.path.join('.') ?? ''
  return `${path === '' ? '' : `${path}: `}${issue?.message ?? 'invalid'}`
}

/** Reads the header line; throws `ExportLineError` on anything else or another version. */
export function parseHeader(text: string): ExportHeader {
  const parsed = headerSchema.safeParse(parseJson(text, 1))
  if (!parsed.success) {
    throw new ExportLineError(1, `not a Parley export header (${problem(parsed.error)})`)
  }
  if (parsed.data.version !== exportFormatVersion) {
    throw new ExportLineError(
      1,
      `export format version ${parsed.data.version}; this Parley reads version ${exportFormatVersion}`,
    )
  }
  return parsed.data
}

/** Reads one record line (unknown fields dropped); throws `ExportLineError` when invalid. */
export function parseRecord(text: string, line: number): StoreRecord {
  const parsed = recordSchema.safeParse(parseJson(text, line))
  if (!parsed.success) throw new ExportLineError(line, problem(parsed.error))
  return parsed.data as StoreRecord
}
