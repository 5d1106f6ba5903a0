import { AppError } from '../../errors/app-error.ts'
import type { ErrorCode } from '../../errors/error-codes.ts'
import type { IngestCall } from '../../pipeline/ingest-call.ts'
import { StoreConflictError } from '../store-conflict.ts'
import type { StoreWriter } from '../store.ts'

/*
 * The messages between `SqliteStore` (the event loop's side) and the worker thread that owns
 * the SQLite connection (`sqlite-worker.ts`). Every request carries an id; the worker answers it
 * once, with a value or an error.
 */

/** A store method a session may call: any reader or writer method. */
export type SessionMethod = keyof StoreWriter

export type Request =
  /** A pipeline call: its read, plan and batch in the worker, answered after the commit. */
  | { id: number; type: 'run'; call: IngestCall }
  /** Opens a transaction (or a read) whose statements the event loop sends one by one. */
  | { id: number; type: 'begin'; mode: 'write' | 'read' }
  | { id: number; type: 'call'; session: number; method: SessionMethod; args: unknown[] }
  /** Ends a session: `ok` commits it (answered to the `begin` id once durable), else rolls back. */
  | { id: number; type: 'end'; session: number; ok: boolean }
  | { id: number; type: 'ping' }
  | { id: number; type: 'prune'; before: number }
  | { id: number; type: 'close' }

export type Response =
  | { type: 'ready' }
  | { type: 'failed'; error: WireError }
  | { type: 'change'; keys: string[] }
  /** `seq`: the commits so far, all of them visible to a read begun after this answer. */
  | { type: 'result'; id: number; value: unknown; seq: number }
  | { type: 'error'; id: number; error: WireError; seq: number }

/** An error as it crosses the thread boundary: enough to rebuild the types callers test for. */
export interface WireError {
  name: string
  message: string
  code?: string
  path?: string
  details?: Record<string, unknown>
}

export function toWire(error: unknown): WireError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) }
  const code = (error as { code?: unknown }).code
  return {
    name: error.name,
    message: error.message,
    ...(typeof code === 'string' ? { code } : {}),
    ...(error instanceof AppError && error.path !== undefined ? { path: error.path } : {}),
    ...(error instanceof AppError && error.details !== undefined ? { details: error.details } : {}),
  }
}

export function fromWire(wire: WireError): Error {
  if (wire.name === 'AppError' && wire.code !== undefined) {
    return new AppError(wire.code as ErrorCode, wire.message, {
      ...(wire.path === undefined ? {} : { path: wire.path }),
      ...(wire.details === undefined ? {} : { details: wire.details }),
    })
  }
  if (wire.name === 'StoreConflictError') return new StoreConflictError(wire.message)
  const error = new Error(wire.message)
  error.name = wire.name
  if (wire.code !== undefined) Object.assign(error, { code: wire.code })
  return error
}
