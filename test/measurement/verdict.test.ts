import { describe, expect, it } from 'vitest'
import { goalReport, sampleRatioReport } from '../../server/src/measurement/experience-report.ts'
import type { VariationCount } from '../../server/src/measurement/exposure.ts'

const split = { holdout: 0.5, variations: [{ id: 'a', weight: 1 }] }

function counts(control: [number, number], a: [number, number]): VariationCount[] {
  return [
    { variation: 'control', control: true, visitors: control[0], conversions: control[1] },
    { variation: 'a', control: false, visitors: a[0], conversions: a[1] },
  ]
}

function verdict(control: [number, number], a: [number, number], given = split) {
  const c = counts(control, a)
  const srm = sampleRatioReport(
    new Map([
      ['control', control[0]],
      ['a', a[0]],
    ]),
    given,
  )
  return goalReport('Signed Up', c, given, srm).verdict
}

describe('verdict of a goal', () => {
  it('is collecting while an arm has fewer than 50 exposed visitors', () => {
    expect(verdict([40, 10], [45, 12])).toEqual({
      status: 'collecting',
      reason: 'control has 40 of the 50 exposed visitors needed.',
    })
  })

  it('is collecting while an arm has fewer than 5 conversions', () => {
    expect(verdict([60, 10], [62, 4]).reason).toBe('a has 4 of the 5 conversions needed.')
  })

  it('is invalid without a holdout, whatever the numbers', () => {
    const status = verdict([1000, 100], [1000, 200], { ...split, holdout: 0 }).status
    expect(status).toBe('invalid')
  })

  it('is invalid on a sample-ratio mismatch (p < 0.001), before anything else', () => {
    const result = verdict([1000, 100], [1300, 300])
    expect(result.status).toBe('invalid')
    expect(result.reason).toMatch(/^Sample ratio mismatch \(p = /)
  })

  it('names a winner when the always-valid, Holm-adjusted p is below 0.05', () => {
    const result = verdict([5000, 500], [5000, 650])
    expect(result.status).toBe('winner')
    expect(result.reason).toMatch(/^a converts \+30 % better than control/)
  })

  it('is loser when every variation is significantly worse', () => {
    expect(verdict([5000, 650], [5000, 500]).status).toBe('loser')
  })

  it('is ready when there is enough data but no significant difference', () => {
    const result = verdict([500, 50], [500, 55])
    expect(result.status).toBe('ready')
    expect(result.reason).toMatch(/chance to beat control/)
  })

  it('is inconclusive once the always-valid interval rules out lifts beyond ±5 %', () => {
    expect(verdict([400_000, 200_000], [400_000, 200_100]).status).toBe('inconclusive')
  })
})

describe('sample-ratio report', () => {
  it('expects the holdout share for control and the rest by weight', () => {
    const report = sampleRatioReport(
      new Map([
        ['control', 100],
        ['a', 300],
        ['b', 600],
      ]),
      {
        holdout: 0.1,
        variations: [
          { id: 'a', weight: 1 },
          { id: 'b', weight: 2 },
        ],
      },
    )
    expect(report?.arms.map((arm) => arm.expectedShare)).toEqual([0.1, 0.3, 0.6])
    expect(report?.chiSquare).toBeCloseTo(0, 12)
    expect(report?.mismatch).toBe(false)
  })
})
