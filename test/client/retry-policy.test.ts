import { describe, expect, it } from 'vitest'
import { maxAttempts, outcomeOf, retryDelayMs } from '../../client/src/retry-policy.ts'

describe('client retry policy', () => {
  it('keeps 2xx, retries network errors, 408, 429 and 5xx, and drops other 4xx', () => {
    expect([200, 204].map(outcomeOf)).toEqual(['ok', 'ok'])
    expect([0, 408, 429, 500, 502, 503].map(outcomeOf)).toEqual(Array(6).fill('retry'))
    expect([400, 401, 404, 413, 415].map(outcomeOf)).toEqual(Array(5).fill('drop'))
  })

  it('doubles the delay from 500 ms and caps it at 30 s', () => {
    const middle = 0.5 // no jitter
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, null, middle))).toEqual([500, 1000, 2000, 4000])
    expect(retryDelayMs(maxAttempts + 20, null, middle)).toBe(30_000)
  })

  it('spreads retries by at most 10 % either way', () => {
    expect(retryDelayMs(1, null, 0)).toBe(450)
    expect(retryDelayMs(1, null, 1)).toBe(550)
  })

  it('honours Retry-After in seconds, up to 5 minutes, and ignores a date it cannot read', () => {
    expect(retryDelayMs(1, '3', 0.5)).toBe(3000)
    expect(retryDelayMs(1, '9999', 0.5)).toBe(300_000)
    expect(retryDelayMs(2, 'Wed, 21 Oct 2015 07:28:00 GMT', 0.5)).toBe(1000)
  })
})
