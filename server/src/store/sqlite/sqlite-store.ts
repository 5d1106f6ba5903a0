import { Worker } from 'node:worker_threads'
import { AppError } from '../../errors/app-error.ts'
import type { CallRequest, CallSnapshot, Planner } from '../call-batch.ts'
import { ChangeFeed, type ChangeListener } from '../change-feed.ts'
import { widen } from '../run-call.ts'
import { StoreConflictError } from '../store-conflict.ts'
import type { Store, StoreReader, StoreWriter } from '../store.ts'
import type { SqliteStoreOptions } from './sqlite-engine.ts'
import { sqliteWorkerFile } from './worker-bundle.ts'
import {
  fromWire,
  type Request,
  type Response,
  type SessionMethod,
  type WriteOutcome,
} from './sqlite-protocol.ts'

export type { SqliteStoreOptions } from './sqlite-engine.ts'

/** Plans of one call made before it counts as a conflict (the neighbourhood kept changing). */
const maxPlans = 8

/** Every method of a store writer, so a session can forward each of them to the worker. */
const writerMethods: readonly SessionMethod[] = [
  'profile',
  'profileIdByAnonymousId',
  'profileIdByUserId',
  'anonymousIds',
  'account',
  'accountIdByKey',
  'accountKeys',
  'mergeLog',
  'events',
  'messageSeen',
  'suppressedKeys',
  'impressions',
  'experienceCounts',
  'experienceDailyCounts',
  'profileIdsByAccount',
  'profilesMentioning',
  'profileSample',
  'claimMessage',
  'lock',
  'putProfile',
  'deleteProfile',
  'linkAnonymousId',
  'unlinkAnonymousId',
  'moveProfileData',
  'putAccount',
  'linkAccountKey',
  'appendMergeLog',
  'appendEvent',
  'deleteEvents',
  'deleteMergeLog',
  'suppress',
  'unsuppress',
  'recordImpression',
  'recordConversion',
  'exportPage',
  'importRecords',
]

type Outgoing = Request extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never

/**
 * The default engine as the event loop sees it: SQLite on a worker thread (`sqlite-worker.ts`
 * runs `SqliteEngine` there), so statements and the COMMIT's fsync overlap the parsing of the
 * next requests instead of blocking it. A pipeline call costs two messages: its snapshot, then
 * its batch, written only if the snapshot still holds (else planned again on the fresh one).
 * Other transactions send their statements one message each. Every promise settles only after
 * the worker's COMMIT is durable.
 */
export class SqliteStore implements Store {
  readonly engine = 'sqlite'
  readonly #worker: Worker
  readonly #feed = new ChangeFeed()
  readonly #pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >()
  #nextId = 1
  #failure: Error | undefined
  #closed = false
  /** Resolves when the worker opened and migrated the file; rejects when it could not. */
  readonly ready: Promise<void>

  constructor(file: string, options: SqliteStoreOptions = {}) {
    this.#worker = new Worker(sqliteWorkerFile(), {
      workerData: { file, options },
      // Plain JavaScript: the parent's loader flags (tsx, vitest) are not needed there; a
      // profiler the process runs under (`--cpu-prof`) profiles this thread too.
      execArgv: process.execArgv.filter((flag) => flag.startsWith('--cpu-prof')),
    })
    this.ready = new Promise((resolve, reject) => {
      this.#worker.on('message', (message: Response) => {
        switch (message.type) {
          case 'ready':
            // Until now the worker kept the process alive (someone may await `ready`).
            if (this.#pending.size === 0) this.#worker.unref()
            resolve()
            break
          case 'failed': {
            const error = fromWire(message.error)
            this.#fail(error)
            reject(error)
            break
          }
          case 'change':
            this.#feed.emit({ kind: 'changed', origin: 'local', keys: message.keys })
            break
          case 'result':
            this.#settle(message.id, (entry) => entry.resolve(message.value))
            break
          case 'error':
            this.#settle(message.id, (entry) => entry.reject(fromWire(message.error)))
            break
        }
      })
      this.#worker.on('error', (error) => {
        this.#fail(error)
        reject(error)
      })
      this.#worker.on('exit', () => {
        const error = new Error('the SQLite worker exited')
        this.#fail(error)
        reject(error)
      })
    })
    // A store nobody awaits the readiness of must not crash the process with an unhandled
    // rejection: the same error reaches every call.
    this.ready.catch(() => undefined)
  }

  async runCall<T>(request: CallRequest, plan: Planner<T>): Promise<T> {
    let current = request
    const snapshot = async () =>
      (await this.#send({ type: 'snapshot', request: current })) as string
    let json = await snapshot()
    for (let attempt = 1; attempt <= maxPlans; attempt += 1) {
      let planned
      try {
        planned = plan(JSON.parse(json) as CallSnapshot)
      } catch (error) {
        // The snapshot was read while a group was half applied (a device pointing at a profile
        // merged away in the same group): read again.
        if (!(error instanceof StoreConflictError)) throw error
        json = await snapshot()
        continue
      }
      if (planned.kind === 'read-more') {
        current = widen(current, planned.accountKeys)
        json = await snapshot()
        continue
      }
      let outcome: WriteOutcome
      try {
        outcome = (await this.#send({
          type: 'write',
          request: current,
          expected: json,
          writes: planned.writes,
        })) as WriteOutcome
      } catch (error) {
        // Another call claimed the message id between the snapshot and the write: re-read.
        if (!(error instanceof StoreConflictError)) throw error
        json = await snapshot()
        continue
      }
      if (outcome.ok) return planned.result
      json = outcome.snapshot
    }
    // Retryable, as a PostgreSQL serialization failure that outlived its retries is.
    throw new AppError(
      'store_unavailable',
      'The profile store kept changing under this call; retry later',
      { cause: new StoreConflictError('the call kept finding its neighbourhood changed') },
    )
  }

  transaction<T>(fn: (tx: StoreWriter) => Promise<T>): Promise<T> {
    return this.#session('write', fn)
  }

  read<T>(fn: (reader: StoreReader) => Promise<T>): Promise<T> {
    return this.#session('read', fn)
  }

  onChange(listener: ChangeListener): () => void {
    return this.#feed.onChange(listener)
  }

  async ping(): Promise<void> {
    await this.#send({ type: 'ping' })
  }

  async pruneMessages(before: number): Promise<number> {
    return (await this.#send({ type: 'prune', before })) as number
  }

  /** Closes the file after the queued work has committed, then stops the worker. */
  async close(): Promise<void> {
    if (this.#closed) return
    try {
      await this.#send({ type: 'close' })
    } catch {
      // A worker that failed to open has nothing to close.
    }
    this.#closed = true
    this.#fail(new Error('the store is closed'))
    await this.#worker.terminate()
  }

  async #session<T>(mode: 'write' | 'read', fn: (tx: StoreWriter) => Promise<T>): Promise<T> {
    const session = await this.#begin(mode)
    const tx = Object.fromEntries(
      writerMethods.map((method) => [
        method,
        (...args: unknown[]) => this.#send({ type: 'call', session, method, args }),
      ]),
    ) as unknown as StoreWriter
    let result: T
    try {
      result = await fn(tx)
    } catch (error) {
      await this.#send({ type: 'end', session, ok: false }).catch(() => undefined)
      throw error
    }
    await this.#send({ type: 'end', session, ok: true })
    return result
  }

  /** Opens a session; its id is the `begin` request's own. */
  async #begin(mode: 'write' | 'read'): Promise<number> {
    const id = this.#nextId
    await this.#send({ type: 'begin', mode })
    return id
  }

  #send(message: Outgoing): Promise<unknown> {
    if (this.#failure !== undefined) return Promise.reject(unavailable(this.#failure))
    const id = this.#nextId
    this.#nextId += 1
    return new Promise((resolve, reject) => {
      if (this.#pending.size === 0) this.#worker.ref()
      this.#pending.set(id, { resolve, reject })
      this.#worker.postMessage({ ...message, id })
    })
  }

  #settle(
    id: number,
    action: (entry: { resolve: (value: unknown) => void; reject: (error: Error) => void }) => void,
  ): void {
    const entry = this.#pending.get(id)
    if (entry === undefined) return
    this.#pending.delete(id)
    // Idle, the worker must not keep the process alive; busy, it must.
    if (this.#pending.size === 0) this.#worker.unref()
    action(entry)
  }

  #fail(error: Error): void {
    this.#failure ??= error
    for (const [id, entry] of this.#pending) {
      this.#pending.delete(id)
      entry.reject(unavailable(error))
    }
    this.#worker.unref()
  }
}

/** A store that cannot answer any more: a retryable 503, as the engine's own faults are. */
function unavailable(cause: Error): Error {
  if (cause instanceof AppError) return cause
  return new AppError('store_unavailable', 'The profile store is unavailable; retry later', {
    cause,
  })
}
