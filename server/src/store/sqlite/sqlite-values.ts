import { hash } from 'node:crypto'
import type Database from 'better-sqlite3'
import type { Row } from '../store-rows.ts'

/*
 * How the SQLite engine keeps values compactly. Profile and account ids, and most anonymous and
 * message ids, are UUIDs: as text each costs 36 bytes in its row and again in every index over
 * it; as a blob, 16. So any parameter that is a canonical UUID (lower case, dashed) is bound as
 * its 16 bytes, and any 16-byte blob a row holds is read back as that UUID. The rule is the same
 * for every statement, so lookups, ordering and keyset pages agree whichever columns hold them;
 * any other id stays text and reads back as it was written.
 */

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** A parameter as the engine binds it: a canonical UUID as its 16 bytes, anything else as is. */
export function toSqlite(value: unknown): unknown {
  return typeof value === 'string' && value.length === 36 && uuid.test(value)
    ? Buffer.from(value.replaceAll('-', ''), 'hex')
    : value
}

/** A row as the engine reads it: each 16-byte blob back to its UUID text. */
export function fromSqlite<R extends Row | undefined>(row: R): R {
  if (row === undefined) return row
  for (const key in row) {
    const value = row[key]
    if (value instanceof Uint8Array && value.length === 16) row[key] = uuidText(value)
  }
  return row
}

function uuidText(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, 16).toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/**
 * A message key (`<source>:<messageId>`, often 50 bytes and more) as the 16 bytes the dedup
 * table keeps: the first half of its SHA-256. A collision among the keys of one dedup window
 * (about 2^-64 for a billion keys) would drop one retried message as a duplicate.
 */
export function messageKeyDigest(key: string): Buffer {
  return hash('sha256', key, 'buffer').subarray(0, 16)
}

/**
 * The engine's SQL functions, on every connection: `parley_id(x)` is `toSqlite` (for id lists
 * that arrive as JSON arrays, and for the migration that turned text ids into blobs), and
 * `parley_message_key(key)` is `messageKeyDigest`.
 */
export function registerSqliteFunctions(db: Database.Database): void {
  db.function(
    'parley_id',
    { deterministic: true },
    (value: unknown) => toSqlite(value) as string | Buffer | number | bigint | null,
  )
  db.function('parley_message_key', { deterministic: true }, (key: unknown) =>
    typeof key === 'string' ? messageKeyDigest(key) : null,
  )
}
