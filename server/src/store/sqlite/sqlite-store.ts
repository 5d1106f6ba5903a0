import { Worker } from 'node:worker_threads'
import { AppError } from '../../errors/app-error.ts'
import type { IngestCall } from '../../pipeline/ingest-call.ts'
import type { IngestResult } from '../../pipeline/ingest-event.ts'
import { ChangeFeed, type ChangeListener } from '../change-feed.ts'
import type { ProfileKey, ProfileNeighbourhood, Store, StoreReader, StoreWriter } from '../store.ts'
import { readerMethods, writeMethods } from '../store-methods.ts'
import { SqliteEngine, type SqliteStoreOptions } from './sqlite-engine.ts'
import { batchedPoster } from './message-batches.ts'
import { sqliteWorkerFile, workerExecArgv } from './worker-bundle.ts'
import { fromWire, type Request, type Response, type SessionMethod } from './sqlite-protocol.ts'
import { readNeighbourhoodOnce } from '../profile-neighbourhood.ts'
import { BackgroundCheckpoints } from './background-checkpoints.ts'

export type { SqliteStoreOptions } from './sqlite-engine.ts'

/** Every method of a store writer, so a session can forward each of them to the worker. */
const writerMethods: readonly SessionMethod[] = [...readerMethods, ...writeMethods]

type Outgoing = Request extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never

/**
 * The default engine as the event loop sees it: SQLite on a worker thread (`sqlite-worker.ts`
 * runs `SqliteEngine` there), so the statements and the COMMIT's fsync overlap the parsing of
 * the next requests instead of blocking it. A pipeline call is one message: the worker reads its
 * snapshot, plans it (the pure `planCall`) and writes its batch, one call after another, so no
 * plan is ever made on a stale snapshot. Reads (`read(fn)`) run at once on this thread's own
 * read-only connection. Other transactions send their statements one message each. Every write
 * settles only after the worker's COMMIT is durable.
 */
export class SqliteStore implements Store {
  readonly engine = 'sqlite'
  readonly #worker: Worker
  readonly #file: string
  /**
   * The event loop's own read-only connection (WAL: it sees committed rows only and never
   * blocks the writer), opened once the worker has migrated the file. `read(fn)` runs on it at
   * once, without a message. None for `:memory:`, which only the worker's connection sees.
   */
  #reads: SqliteEngine | undefined
  /** The thread that copies the log into the file as it grows; none for `:memory:`. */
  #checkpoints: BackgroundCheckpoints | undefined
  /** The worker's commits this thread has heard of: every one is visible to a read begun now. */
  #seq = 0
  readonly #feed = new ChangeFeed()
  /** Requests, in one message a turn (see message-batches.ts). */
  readonly #post = batchedPoster<Request>((batch) => this.#worker.postMessage(batch))
  readonly #pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >()
  #nextId = 1
  #failure: Error | undefined
  #closed = false
  /** Resolves when the worker opened and migrated the file; rejects when it could not. */
  readonly ready: Promise<void>

  /**
   * `onBackgroundError` hears of faults no request sees (a failed background checkpoint).
   * Default: ignored.
   */
  constructor(
    file: string,
    {
      onBackgroundError,
      ...options
    }: SqliteStoreOptions & { onBackgroundError?: (error: unknown, where: string) => void } = {},
  ) {
    this.#file = file
    // The writer counts its commits here; the checkpointer waits on the count. None in memory.
    const commits = file === ':memory:' ? undefined : new Int32Array(new SharedArrayBuffer(4))
    this.#worker = new Worker(sqliteWorkerFile(), {
      workerData: { file, options, commits },
      execArgv: workerExecArgv(),
    })
    this.ready = new Promise((resolve, reject) => {
      this.#worker.on('message', (batch: Response[]) => {
        for (const message of batch) receive(message)
      })
      const receive = (message: Response) => {
        switch (message.type) {
          case 'ready':
            // Until now the worker kept the process alive (someone may await `ready`).
            if (this.#pending.size === 0) this.#worker.unref()
            try {
              if (commits !== undefined) {
                this.#reads = new SqliteEngine(file, { ...options, readOnly: true })
                // A thread that cannot open the file is told, not thrown: without it the writer
                // still checkpoints by itself.
                this.#checkpoints = new BackgroundCheckpoints(
                  {
                    file,
                    commits,
                    synchronous: options.synchronous ?? 'FULL',
                    nativeBinding: options.nativeBinding,
                  },
                  (error) => onBackgroundError?.(error, 'WAL checkpoint'),
                )
              }
            } catch (caught) {
              const error = caught instanceof Error ? caught : new Error(String(caught))
              this.#fail(error)
              reject(error)
              break
            }
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
            // Whatever it answers may have committed: later reads must not share an older view.
            this.#committed(message.seq)
            this.#settle(message.id, (entry) => entry.resolve(message.value))
            break
          case 'error':
            this.#committed(message.seq)
            this.#settle(message.id, (entry) => entry.reject(fromWire(message.error)))
            break
        }
      }
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

  async runCall(call: IngestCall): Promise<IngestResult> {
    await this.#opened()
    return (await this.#send({ type: 'run', call })) as IngestResult
  }

  /** Waits for the worker to open the file; rejects as every call would when it could not. */
  async #opened(): Promise<void> {
    if (this.#reads === undefined && this.#file !== ':memory:') {
      await this.ready.catch(() => undefined)
    }
    if (this.#failure !== undefined) throw unavailable(this.#failure)
  }

  transaction<T>(fn: (tx: StoreWriter) => Promise<T>): Promise<T> {
    return this.#session('write', fn)
  }

  async read<T>(fn: (reader: StoreReader) => Promise<T>): Promise<T> {
    await this.#opened()
    return this.#reads === undefined ? this.#session('read', fn) : this.#reads.read(fn)
  }

  readNeighbourhood(key: ProfileKey): Promise<ProfileNeighbourhood | undefined> {
    return readNeighbourhoodOnce(this, key)
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
    await this.#checkpoints?.close()
    await this.#reads?.close()
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

  #committed(seq: number): void {
    if (seq > this.#seq) this.#seq = seq
    this.#reads?.committed()
  }

  #send(message: Outgoing): Promise<unknown> {
    if (this.#failure !== undefined) return Promise.reject(unavailable(this.#failure))
    const id = this.#nextId
    this.#nextId += 1
    return new Promise((resolve, reject) => {
      if (this.#pending.size === 0) this.#worker.ref()
      this.#pending.set(id, { resolve, reject })
      this.#post({ ...message, id })
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
