import { AppError } from '../../errors/app-error.ts'

/*
 * How the PostgreSQL engine classifies driver errors. SQLSTATE codes:
 * https://www.postgresql.org/docs/current/errcodes-appendix.html
 */

/**
 * Conflicts with another writer that a fresh attempt of the whole transaction resolves:
 * serialization failure, deadlock (PostgreSQL aborted one side), and a unique violation (two
 * instances inserted the same key; the retry reads the winner's row).
 */
const retryableCodes = new Set(['40001', '40P01', '23505'])

/** The database is down, restarting, overloaded, or did not answer in time. */
const unavailableCodes = new Set([
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, recovering)
  '57014', // query_canceled: statement_timeout
  '55P03', // lock_not_available
  '53300', // too_many_connections
])

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined
}

/** True for a conflict worth running the transaction again for. */
export function isRetryable(error: unknown): boolean {
  const code = sqlState(error)
  return code !== undefined && retryableCodes.has(code)
}

/**
 * True when the server answered but cancelled a statement that waited too long (for a lock, on
 * a busy database): `statement_timeout` or `lock_timeout`. The connection is sound; another
 * transaction may not wait at all.
 */
export function isStatementTimeout(error: unknown): boolean {
  const code = sqlState(error)
  return code === '57014' || code === '55P03'
}

/**
 * True when the error says nothing about the SQL but about the connection (refused, reset,
 * timed out, closed by the server), so the client that saw it must not be reused.
 */
export function isConnectionFault(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  const code = sqlState(error)
  if (code !== undefined) return code.startsWith('08') || unavailableCodes.has(code)
  return (
    typeof (error as { code?: unknown }).code === 'string' || // ECONNREFUSED, ECONNRESET, …
    /timeout|terminated|Connection|not queryable|ended|closed/i.test(error.message)
  )
}

/**
 * The error a caller sees: a connection fault, a timeout, or a serialization failure or deadlock
 * that outlived every retry becomes a retryable 503 `store_unavailable`; text PostgreSQL cannot
 * store (a NUL character) becomes a 400; anything else (a bug, a unique key the caller broke
 * every time) stays as it is.
 */
export function toStoreError(error: unknown): unknown {
  if (error instanceof AppError) return error
  const code = sqlState(error)
  if (isConnectionFault(error) || code === '40001' || code === '40P01') {
    const why =
      code === '57014'
        ? 'did not answer in time'
        : /timeout exceeded when trying to connect/.test((error as Error).message)
          ? 'gave no connection in time (down, or every connection busy)'
          : 'is unavailable'
    return new AppError('store_unavailable', `The profile store ${why}; retry later`, {
      cause: error,
    })
  }
  if (code === '22021' || code === '22P05') {
    return new AppError(
      'invalid_field',
      'A value contains a NUL character or invalid text, which the store cannot keep',
      { cause: error },
    )
  }
  return error
}
