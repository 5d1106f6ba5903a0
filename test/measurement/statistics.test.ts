import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { bayesianComparison } from '../../server/src/measurement/stats/bayesian.ts'
import { holmAdjust } from '../../server/src/measurement/stats/holm.ts'
import {
  absoluteLift,
  normalInterval,
  relativeLift,
  wilsonInterval,
} from '../../server/src/measurement/stats/intervals.ts'
import { optimalRatio, sequentialInterval } from '../../server/src/measurement/stats/sequential.ts'
import { chiSquareSurvival, normalQuantile } from '../../server/src/measurement/stats/special.ts'
import { sampleRatioCheck } from '../../server/src/measurement/stats/srm.ts'
import { twoProportionTest } from '../../server/src/measurement/two-proportion-test.ts'

// Reference values computed once with scipy by test/fixtures/stats/reference.py (see its header
// for how to rerun it); never this code's own output.
interface SequentialRef {
  low: number
  high: number
  p: number
}
interface LiftRef {
  estimate: number
  low: number
  high: number
  sequential: SequentialRef
}
const reference = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../fixtures/stats/reference-values.json'), 'utf8'),
) as {
  optimalRatio: number
  normalQuantile: [number, number][]
  chiSquareSurvival: [number, number, number][]
  wilson: [number, number, [number, number]][]
  lifts: {
    counts: [number, number, number, number]
    absolute: LiftRef
    relative: LiftRef
    zTestP: number
  }[]
  bayesian: {
    counts: [number, number, number, number]
    chanceToBeat: number
    expectedLoss: number
  }[]
  srm: { observed: number[]; weights: number[]; chiSquare: number; pValue: number }[]
  holm: [number[], number[]][]
}

/** Relative closeness: `actual` within `tolerance` of `expected`, relative to its size. */
function near(actual: number | undefined, expected: number, tolerance = 1e-9): void {
  expect(actual).toBeDefined()
  expect(Math.abs((actual ?? NaN) - expected)).toBeLessThanOrEqual(
    tolerance * Math.max(1, Math.abs(expected)),
  )
}

describe('special functions', () => {
  it('gives the normal quantile scipy gives, from 1e-10 to 1 − 1e-6', () => {
    for (const [p, expected] of reference.normalQuantile) near(normalQuantile(p), expected, 1e-12)
  })

  it('gives the chi-square tail probability scipy gives', () => {
    for (const [x, df, expected] of reference.chiSquareSurvival) {
      near(chiSquareSurvival(x, df), expected, 1e-10)
    }
  })
})

describe('rate intervals', () => {
  it('matches the Wilson score interval, including 0 and n conversions', () => {
    for (const [x, n, [low, high]] of reference.wilson) {
      const interval = wilsonInterval(x, n)
      near(interval?.low, low, 1e-12)
      near(interval?.high, high, 1e-12)
    }
  })

  it('has no interval without visitors', () => {
    expect(wilsonInterval(0, 0)).toBeNull()
  })
})

describe('lifts with intervals', () => {
  it('gives the absolute lift and its 95 % interval (unpooled standard error)', () => {
    for (const { counts, absolute } of reference.lifts) {
      const lift = absoluteLift(...counts)
      expect(lift).not.toBeNull()
      if (lift === null) continue
      near(lift.estimate, absolute.estimate)
      near(normalInterval(lift).low, absolute.low, 1e-12)
      near(normalInterval(lift).high, absolute.high, 1e-12)
    }
  })

  it('gives the relative lift and its delta-method 95 % interval', () => {
    for (const { counts, relative } of reference.lifts) {
      const lift = relativeLift(...counts)
      if (lift === null) throw new Error('expected a relative lift')
      near(lift.estimate, relative.estimate)
      near(normalInterval(lift).low, relative.low, 1e-12)
      near(normalInterval(lift).high, relative.high, 1e-12)
    }
  })

  it('has no relative lift while the control converted nobody', () => {
    expect(relativeLift(0, 100, 5, 100)).toBeNull()
    expect(absoluteLift(0, 0, 5, 100)).toBeNull()
  })

  it('keeps the z-test p-value of the two-proportion test', () => {
    for (const { counts, zTestP } of reference.lifts) {
      near(twoProportionTest(...counts).pValue ?? NaN, zTestP, 1e-6)
    }
  })
})

describe('always-valid (mSPRT) intervals', () => {
  it('tunes the mixing ratio to the narrowest interval, as scipy finds it', () => {
    near(optimalRatio(0.05), reference.optimalRatio, 1e-7)
  })

  it('gives the mixture interval and always-valid p-value of the reference formula', () => {
    for (const { counts, absolute, relative } of reference.lifts) {
      const [, n1, , n2] = counts
      // 1e-7: scipy's optimiser and the golden-section search agree on r* to about 1e-8.
      for (const [lift, expected] of [
        [absoluteLift(...counts), absolute.sequential],
        [relativeLift(...counts), relative.sequential],
      ] as const) {
        if (lift === null) throw new Error('expected a lift')
        const result = sequentialInterval(lift, n1, n2)
        near(result?.interval.low, expected.low, 1e-7)
        near(result?.interval.high, expected.high, 1e-7)
        near(result?.pValue, expected.p, 1e-7)
      }
    }
  })

  it('is wider than the fixed-horizon interval, so a daily look stays honest', () => {
    const lift = absoluteLift(200, 1000, 250, 1000)
    if (lift === null) throw new Error('expected a lift')
    const fixed = normalInterval(lift)
    const always = sequentialInterval(lift, 1000, 1000)?.interval
    expect(always?.low).toBeLessThan(fixed.low)
    expect(always?.high).toBeGreaterThan(fixed.high)
  })
})

describe('Bayesian chance to beat control', () => {
  it('matches numerical integration of the Beta posteriors', () => {
    for (const { counts, chanceToBeat, expectedLoss } of reference.bayesian) {
      const result = bayesianComparison(...counts)
      near(result.chanceToBeat, chanceToBeat, 1e-8)
      near(result.expectedLoss, expectedLoss, 1e-8)
    }
  })

  it('switches to the normal approximation for huge counts without a visible jump', () => {
    const exact = bayesianComparison(19_000, 100_000, 19_400, 100_000)
    const approx = bayesianComparison(40_000, 200_000, 40_800, 200_000)
    expect(exact.chanceToBeat).toBeGreaterThan(0.98)
    expect(approx.chanceToBeat).toBeGreaterThan(exact.chanceToBeat)
    expect(approx.expectedLoss).toBeLessThan(exact.expectedLoss)
  })
})

describe('sample-ratio mismatch', () => {
  it('gives scipy.stats.chisquare against the configured shares', () => {
    for (const { observed, weights, chiSquare, pValue } of reference.srm) {
      const check = sampleRatioCheck(observed, weights)
      near(check?.chiSquare, chiSquare, 1e-10)
      near(check?.pValue, pValue, 1e-9)
    }
  })

  it('flags a mismatch only below p = 0.001', () => {
    expect(sampleRatioCheck([1100, 8900], [0.1, 0.9])?.mismatch).toBe(true) // p = 0.00086
    expect(sampleRatioCheck([4950, 5050], [1, 1])?.mismatch).toBe(false)
  })

  it('has no check before anyone is exposed or with one live arm', () => {
    expect(sampleRatioCheck([0, 0], [1, 1])).toBeNull()
    expect(sampleRatioCheck([10, 0], [1, 0])).toBeNull()
  })
})

describe('Holm correction', () => {
  it('matches the step-down adjustment (Holm 1979; the Wikipedia worked example first)', () => {
    for (const [pValues, adjusted] of reference.holm) {
      holmAdjust(pValues).forEach((value, i) => near(value ?? NaN, adjusted[i] ?? NaN, 1e-12))
    }
  })

  it('leaves arms without a p-value out of the count', () => {
    expect(holmAdjust([0.02, null, 0.01])).toEqual([0.02, null, 0.02])
  })
})
