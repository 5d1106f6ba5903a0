/** What to do with an answer: keep it, try again later, or give up on the call. */
export type Outcome = 'ok' | 'retry' | 'drop'

/** Attempts per call before it is dropped. Default: 8 (about a minute of backoff). */
export const maxAttempts = 8

/**
 * The outcome for an HTTP status; `0` stands for a network error. 5xx, 408 and 429 are transient
 * (the container only answers 5xx when nothing was stored), other 4xx will never succeed.
 */
export function outcomeOf(status: number): Outcome {
  if (status >= 200 && status < 300) return 'ok'
  if (status === 0 || status === 408 || status === 429 || status >= 500) return 'retry'
  return 'drop'
}

/**
 * Milliseconds to wait before attempt `attempt + 1`: 500 ms doubling up to 30 s, ±10 % jitter
 * from `random` (0..1) so many tabs do not retry in step. A `Retry-After` in seconds wins, up to
 * 5 minutes.
 */
export function retryDelayMs(attempt: number, retryAfter: string | null, random: number): number {
  const seconds = retryAfter === null ? NaN : Number(retryAfter)
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds, 300) * 1000
  const base = Math.min(500 * 2 ** Math.max(attempt - 1, 0), 30_000)
  return Math.round(base * (0.9 + 0.2 * random))
}
