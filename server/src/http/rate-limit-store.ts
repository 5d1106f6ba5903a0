import { LRUCache } from 'lru-cache'

/** The count of one key in its current window. */
export interface RateLimitHit {
  /** Calls counted in the window so far, this one included. */
  count: number
  /** When the window ends (ms); the count starts over after it. */
  resetAt: number
}

/**
 * Where rate-limit counters live. The memory store counts per process; a store shared by every
 * instance (e.g. on PostgreSQL) implements the same method so limits hold across a cluster.
 */
export interface RateLimitStore {
  /** Counts one call for `key` in a fixed window of `windowMs` starting at its first call. */
  hit(key: string, windowMs: number, now: number): Promise<RateLimitHit>
}

/**
 * Counters in this process, in an LRU bounded by `maxKeys` (default 100,000) so a flood of
 * distinct addresses cannot grow memory without end; an evicted key simply starts over.
 */
export class MemoryRateLimitStore implements RateLimitStore {
  readonly #windows: LRUCache<string, RateLimitHit>

  constructor(options: { maxKeys?: number } = {}) {
    this.#windows = new LRUCache({ max: options.maxKeys ?? 100_000 })
  }

  async hit(key: string, windowMs: number, now: number): Promise<RateLimitHit> {
    const current = this.#windows.get(key)
    const window =
      current === undefined || current.resetAt <= now
        ? { count: 1, resetAt: now + windowMs }
        : { count: current.count + 1, resetAt: current.resetAt }
    this.#windows.set(key, window)
    return { ...window }
  }
}
