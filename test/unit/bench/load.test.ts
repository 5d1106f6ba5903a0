import { describe, expect, it } from 'vitest'
import {
  combineRounds,
  interleave,
  ratioText,
  roundsOf,
  type LoadResult,
} from '../../../bench/lib/load.ts'

const round = (overrides: Partial<LoadResult>): LoadResult => ({
  requestsPerSecond: 1000,
  p50Ms: 5,
  p99Ms: 10,
  non2xx: 0,
  errors: 0,
  ...overrides,
})

describe('interleave', () => {
  it('runs a round of every load in turn, then the next round', async () => {
    const order: string[] = []
    const results = await interleave(
      ['a', 'b', 'c'].map((name) => async () => {
        order.push(name)
        return `${name}${order.filter((seen) => seen === name).length}`
      }),
      2,
    )
    expect(order).toEqual(['a', 'b', 'c', 'a', 'b', 'c'])
    expect(results).toEqual([
      ['a1', 'a2'],
      ['b1', 'b2'],
      ['c1', 'c2'],
    ])
  })
})

describe('roundsOf', () => {
  it('splits the seconds into three rounds of two seconds at the least', () => {
    expect(roundsOf(10)).toEqual({ rounds: 3, roundSeconds: 3 })
    expect(roundsOf(3)).toEqual({ rounds: 3, roundSeconds: 2 })
  })
})

describe('combineRounds', () => {
  it('averages the rates, weighs the CPU by requests and keeps the worst latencies', () => {
    const combined = combineRounds([
      round({ requestsPerSecond: 1000, serverCpuUs: 100, p50Ms: 4, p99Ms: 12 }),
      round({ requestsPerSecond: 3000, serverCpuUs: 200, p50Ms: 6, p99Ms: 9 }),
    ])
    expect(combined.requestsPerSecond).toBe(2000)
    expect(combined.serverCpuUs).toBe(175)
    expect(combined.p50Ms).toBe(6)
    expect(combined.p99Ms).toBe(12)
  })

  it('leaves the CPU unknown when a round did not measure it', () => {
    const combined = combineRounds([round({ serverCpuUs: 100 }), round({})])
    expect(combined).not.toHaveProperty('serverCpuUs')
  })

  it('carries one failed answer of any round into a result that gets no ratio', () => {
    const clean = combineRounds([round({}), round({})])
    const oneFailed = combineRounds([round({}), round({ non2xx: 1 }), round({ errors: 2 })])
    expect(oneFailed.non2xx + oneFailed.errors).toBe(3)
    expect(ratioText(oneFailed, clean)).toBe('no ratio: 3 non-2xx/errors')
    expect(ratioText(clean, oneFailed)).toBe('no ratio: the baseline had 3 non-2xx/errors')
    expect(ratioText(clean, clean)).toBe('100.0 %')
  })
})
