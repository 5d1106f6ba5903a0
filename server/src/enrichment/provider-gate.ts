import { LRUCache } from 'lru-cache'

/** How a gate bounds a slow, fallible lookup. */
export interface GateOptions<V> {
  lookup: (key: string, signal: AbortSignal) => Promise<V | undefined>
  /** Abort a call after this long; it counts as a failure. Default 800 ms. */
  timeoutMs?: number
  /** How long an answer (a match or a "no match") is reused. Default 24 h. */
  ttlMs?: number
  /** How long a failure is remembered for that key before it is asked again. Default 60 s. */
  failureTtlMs?: number
  /** Keys kept at most. Default 50,000. */
  maxEntries?: number
  /** Calls in flight at most; further misses wait for a later request. Default 16. */
  maxInFlight?: number
  /** Consecutive failures that open the circuit. Default 5. */
  breakerFailures?: number
  /** How long an open circuit refuses calls before letting one through. Default 30 s. */
  breakerCooldownMs?: number
  clock?: () => number
  /** Told about each failed call (logs, metrics). */
  onFailure?: (error: unknown) => void
}

/** A cached answer, or a remembered failure, good until `until` (ms on the gate's clock). */
type Entry<V> = ({ value: V | undefined } | { failed: true }) & { until: number }

/**
 * Puts a slow service next to the request path, never on it. `peek(key)` answers at once from
 * the cache; on a miss it starts one background call (deduplicated per key, bounded in number
 * and by a timeout) whose answer the next request for that key gets. After `breakerFailures`
 * failures in a row the circuit opens: no calls for `breakerCooldownMs`, then one trial call
 * closes it again on success.
 */
export class ProviderGate<V extends object> {
  readonly #lookup: GateOptions<V>['lookup']
  readonly #timeoutMs: number
  readonly #ttlMs: number
  readonly #failureTtlMs: number
  readonly #maxInFlight: number
  readonly #breakerFailures: number
  readonly #breakerCooldownMs: number
  readonly #clock: () => number
  readonly #onFailure: (error: unknown) => void
  readonly #cache: LRUCache<string, Entry<V>>
  readonly #inFlight = new Map<string, Promise<void>>()
  #failures = 0
  #openUntil = 0
  #trial = false

  constructor(options: GateOptions<V>) {
    this.#lookup = options.lookup
    this.#timeoutMs = options.timeoutMs ?? 800
    this.#ttlMs = options.ttlMs ?? 24 * 3_600_000
    this.#failureTtlMs = options.failureTtlMs ?? 60_000
    this.#maxInFlight = options.maxInFlight ?? 16
    this.#breakerFailures = options.breakerFailures ?? 5
    this.#breakerCooldownMs = options.breakerCooldownMs ?? 30_000
    this.#clock = options.clock ?? Date.now
    this.#onFailure = options.onFailure ?? (() => undefined)
    // Expiry is checked against the injected clock here, not by lru-cache's timers.
    this.#cache = new LRUCache<string, Entry<V>>({ max: options.maxEntries ?? 50_000 })
  }

  /** `closed` (calls flow), `open` (refusing) or `half-open` (one trial call allowed). */
  get state(): 'closed' | 'open' | 'half-open' {
    if (this.#failures < this.#breakerFailures) return 'closed'
    return this.#clock() < this.#openUntil ? 'open' : 'half-open'
  }

  /**
   * The cached answer for `key`, or `undefined` (and a background call asking about `input`) on
   * a miss. The key may be a digest of the input, so the cache never holds the input itself.
   */
  peek(key: string, input: string = key): V | undefined {
    const entry = this.#cache.get(key)
    if (entry !== undefined && entry.until > this.#clock()) {
      return 'value' in entry ? entry.value : undefined
    }
    this.#start(key, input)
    return undefined
  }

  /** Resolves when every call started so far has settled (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.#inFlight.values()])
  }

  #start(key: string, input: string): void {
    if (this.#inFlight.has(key) || this.#inFlight.size >= this.#maxInFlight) return
    const state = this.state
    if (state === 'open') return
    if (state === 'half-open') {
      if (this.#trial) return
      this.#trial = true
    }
    const call = this.#call(key, input).finally(() => {
      this.#inFlight.delete(key)
      if (state === 'half-open') this.#trial = false
    })
    this.#inFlight.set(key, call)
  }

  async #call(key: string, input: string): Promise<void> {
    const signal = AbortSignal.timeout(this.#timeoutMs)
    // A lookup that ignores its signal still cannot hold the gate past the timeout.
    const timedOut = new Promise<never>((_resolve, reject) => {
      signal.addEventListener(
        'abort',
        () => reject(new Error(`timed out after ${this.#timeoutMs} ms`)),
        {
          once: true,
        },
      )
    })
    try {
      const value = await Promise.race([this.#lookup(input, signal), timedOut])
      this.#failures = 0
      this.#cache.set(key, { value, until: this.#clock() + this.#ttlMs })
    } catch (error) {
      this.#failures += 1
      if (this.#failures >= this.#breakerFailures) {
        this.#openUntil = this.#clock() + this.#breakerCooldownMs
      }
      this.#cache.set(key, { failed: true, until: this.#clock() + this.#failureTtlMs })
      this.#onFailure(error)
    }
  }
}
