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

/** A parameter as the engine binds it: a canonical UUID as its 16 bytes, anything else as is. */
export function toSqlite(value: unknown): unknown {
  if (typeof value !== 'string' || value.length !== 36) return value
  // Character by character: this runs for every parameter of every statement.
  for (const dash of dashes) if (value.charCodeAt(dash) !== 45) return value
  const bytes = Buffer.allocUnsafe(16)
  for (let byte = 0; byte < 16; byte += 1) {
    const at = hexPairs[byte] ?? 0
    const high = hexDigit(value.charCodeAt(at))
    const low = hexDigit(value.charCodeAt(at + 1))
    if (high < 0 || low < 0) return value
    bytes[byte] = high * 16 + low
  }
  return bytes
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

/** Where a canonical UUID has its dashes, and where each of its 16 bytes' two hex digits start. */
const dashes = [8, 13, 18, 23]
const hexPairs = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34]

/** The value of a lower-case hex digit's character code, or -1. */
function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48
  if (code >= 97 && code <= 102) return code - 87
  return -1
}

const byteHex = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'))

function uuidText(bytes: Uint8Array): string {
  let text = ''
  for (let i = 0; i < 16; i += 1) {
    if (i === 4 || i === 6 || i === 8 || i === 10) text += '-'
    text += byteHex[bytes[i] ?? 0] ?? '00'
  }
  return text
}

/**
 * A message key (`<source>:<messageId>`, often 50 bytes and more) as the 16 bytes the dedup
 * table keeps: the first half of its SHA-256. A collision among the keys of one dedup window
 * (about 2^-64 for a billion keys) would drop one retried message as a duplicate.
 */
export function messageKeyDigest(key: string): Buffer {
  // A call looks its key up and then claims it: the second asks for the same digest.
  if (key !== lastKey) {
    lastKey = key
    lastDigest = hash('sha256', key, 'buffer').subarray(0, 16)
  }
  return lastDigest
}

let lastKey: string | undefined
let lastDigest = Buffer.alloc(16)

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
