import { Worker } from 'node:worker_threads'
import { fromWire, type WireError } from './sqlite-protocol.ts'
import { checkpointWorkerFile, workerExecArgv } from './worker-bundle.ts'

/** What the checkpointer thread starts with. */
export interface CheckpointerData {
  file: string
  synchronous: 'FULL' | 'NORMAL'
  nativeBinding: string | undefined
  /** The writer's commits so far (index 0), bumped and notified after each COMMIT. */
  commits: Int32Array
  /** Milliseconds from the end of one pass to the next at the least. */
  gapMs: number
}

/** What the checkpointer thread tells its owner. */
export type CheckpointerMessage =
  /** It could not open the file: there are no background checkpoints. */
  | { type: 'failed'; error: WireError }
  /** One pass failed; the next tries again. */
  | { type: 'error'; error: WireError }

/**
 * Least milliseconds from one pass to the next. Shorter gaps make smaller copies and syncs, and
 * cost CPU: 2 ms cut the commits' p99 further than 10 but raised the server's CPU per identify
 * by a fifth to a third (docs/performance.md, "Checkpoints on a thread of their own").
 */
export const checkpointGapMs = 10

/**
 * WAL checkpoints on a thread and connection of their own (`checkpoint-worker.ts`), one pass
 * after the writer's commits, at most one every `checkpointGapMs`. Left to the writer, a
 * checkpoint every 2,000 pages copies 4 MiB into the file and syncs it inside the commit that
 * crossed the threshold, and every call queued behind it waits; the large sync also slows the
 * log syncs of the commits around it. Small passes keep each copy and each sync small. When a
 * pass has copied the whole log, the writer's next transaction starts it over; the writer's own
 * threshold stays as the backstop if this thread falls behind or fails.
 */
export class BackgroundCheckpoints {
  readonly #worker: Worker
  /** Settles when the thread is gone, closed or failed. */
  readonly #exited: Promise<void>

  /** `onError` hears of a failed pass or a thread that could not start. Default: ignored. */
  constructor(
    data: Omit<CheckpointerData, 'gapMs'> & { gapMs?: number },
    onError: (error: Error) => void = () => undefined,
  ) {
    const workerData: CheckpointerData = { ...data, gapMs: data.gapMs ?? checkpointGapMs }
    this.#worker = new Worker(checkpointWorkerFile(), {
      workerData,
      execArgv: workerExecArgv(),
    })
    this.#exited = new Promise((resolve) => this.#worker.once('exit', () => resolve()))
    // It never keeps the process alive on its own.
    this.#worker.unref()
    this.#worker.on('message', (message: CheckpointerMessage) => {
      if (message.type === 'failed' || message.type === 'error') onError(fromWire(message.error))
    })
    this.#worker.on('error', onError)
  }

  /** Stops the passes and closes the thread's connection. */
  async close(): Promise<void> {
    // Kept alive until it has closed the connection, so the file is never left half-shared.
    this.#worker.ref()
    this.#worker.postMessage('close')
    await this.#exited
  }
}
