import { setTimeout as sleep } from 'node:timers/promises'
import type { ChangeNotice } from './postgres-listener.ts'

const payloadLimitBytes = 7_000 // PostgreSQL refuses NOTIFY payloads of 8,000 bytes or more.
const maxPendingKeys = 50_000

/**
 * Sends the change keys of committed transactions to the other instances, after the commit and
 * off the request path. NOTIFY inside a transaction would hold PostgreSQL's global notify lock
 * through the commit's WAL flush and so serialise every writing commit of every instance; a
 * NOTIFY on its own writes no WAL. Keys that pile up while one send is in flight go out together
 * in the next. A failed send is retried (the keys are kept, at most `maxPendingKeys`), so a
 * short outage delays invalidations instead of dropping them.
 */
export class PostgresNotifier {
  readonly #send: (payload: string) => Promise<void>
  readonly #from: string
  readonly #onError: (error: unknown) => void
  readonly #pending = new Set<string>()
  #flushing: Promise<void> | undefined
  #closed = false

  constructor(options: {
    send: (payload: string) => Promise<void>
    from: string
    onError: (error: unknown) => void
  }) {
    this.#send = options.send
    this.#from = options.from
    this.#onError = options.onError
  }

  /** Queues keys for the other instances; never throws, never waits. */
  publish(keys: readonly string[]): void {
    if (keys.length === 0 || this.#closed) return
    for (const key of keys) {
      if (this.#pending.size >= maxPendingKeys) {
        this.#onError(new Error(`more than ${maxPendingKeys} change keys unsent; dropping some`))
        break
      }
      this.#pending.add(key)
    }
    this.#flushing ??= this.#flush().finally(() => (this.#flushing = undefined))
  }

  /**
   * Sends what is pending, waiting at most `graceMs` (default 2,000) when the database does not
   * take it, then stops; keys still unsent are dropped.
   */
  async close(graceMs = 2_000): Promise<void> {
    const timer = sleep(graceMs, undefined, { ref: false })
    await Promise.race([this.#flushing, timer])
    this.#closed = true
    await this.#flushing
  }

  async #flush(): Promise<void> {
    let delayMs = 100
    while (this.#pending.size > 0 && !this.#closed) {
      const keys = [...this.#pending]
      this.#pending.clear()
      try {
        for (const payload of notices(this.#from, keys)) await this.#send(payload)
        delayMs = 100
      } catch (error) {
        this.#onError(error)
        for (const key of keys) this.#pending.add(key)
        await sleep(delayMs)
        delayMs = Math.min(delayMs * 2, 5_000)
      }
    }
  }
}

/** The NOTIFY payloads for `keys`, split so none reaches PostgreSQL's size limit. */
export function notices(from: string, keys: readonly string[]): string[] {
  const payloads: string[] = []
  let batch: string[] = []
  let batchBytes = 0
  const encode = (chunk: string[]) => JSON.stringify({ from, keys: chunk } satisfies ChangeNotice)
  const overhead = Buffer.byteLength(encode([]))
  for (const key of keys) {
    const keyBytes = Buffer.byteLength(JSON.stringify(key)) + 1
    if (batch.length > 0 && overhead + batchBytes + keyBytes > payloadLimitBytes) {
      payloads.push(encode(batch))
      batch = []
      batchBytes = 0
    }
    batch.push(key)
    batchBytes += keyBytes
  }
  if (batch.length > 0) payloads.push(encode(batch))
  return payloads
}
