import { describe, expect, it } from 'vitest'
import { goalReport } from '../../server/src/measurement/experience-report.ts'
import { erfc, twoProportionTest } from '../../server/src/measurement/two-proportion-test.ts'

describe('two-proportion z-test', () => {
  it('matches the hand computation for 200/1000 vs 250/1000', () => {
    // pooled p = 450/2000 = 0.225; se = sqrt(0.225 * 0.775 * (1/1000 + 1/1000)) = 0.0186748
    // z = (0.25 - 0.20) / 0.0186748 = 2.67740; two-sided p = 2 * (1 - Φ(2.6774)) = 0.0074196
    const result = twoProportionTest(200, 1000, 250, 1000)
    expect(result.z).toBeCloseTo(2.6774, 4)
    expect(result.pValue).toBeCloseTo(0.0074196, 5)
    expect(result.lift).toBeCloseTo(0.25, 10)
  })

  it('matches the hand computation for 10/100 vs 20/100', () => {
    // pooled p = 0.15; se = sqrt(0.15 * 0.85 * 0.02) = 0.0504975; z = 0.1 / 0.0504975 = 1.98030
    // two-sided p = 0.047670 (just under 0.05); lift = (0.2 - 0.1) / 0.1 = 100 %
    const result = twoProportionTest(10, 100, 20, 100)
    expect(result.z).toBeCloseTo(1.9803, 4)
    expect(result.pValue).toBeCloseTo(0.04767, 5)
    expect(result.lift).toBeCloseTo(1, 10)
  })

  it('is two-sided: a worse variation gets a negative z and lift, same kind of p', () => {
    // 30/400 = 0.075 vs 24/380 = 0.063158; pooled 54/780; z = -0.65123; p = 0.51490
    const result = twoProportionTest(30, 400, 24, 380)
    expect(result.z).toBeCloseTo(-0.65123, 4)
    expect(result.pValue).toBeCloseTo(0.5149, 4)
    expect(result.lift).toBeCloseTo(-0.157895, 5)
  })

  it('answers null where the statistic is undefined', () => {
    expect(twoProportionTest(0, 0, 5, 100)).toEqual({ lift: null, z: null, pValue: null })
    expect(twoProportionTest(0, 100, 0, 100)).toEqual({ lift: null, z: null, pValue: null })
    expect(twoProportionTest(0, 100, 5, 100).lift).toBeNull()
  })

  it('computes erfc within 1.2e-7 of known values', () => {
    expect(erfc(0)).toBeCloseTo(1, 7)
    expect(erfc(1)).toBeCloseTo(0.1572992070502851, 7)
    expect(erfc(-1)).toBeCloseTo(1.8427007929497148, 7)
    expect(erfc(3)).toBeCloseTo(2.209049699858544e-5, 9)
  })
})

describe('goal report', () => {
  it('adds rates, lift and p-value per variation against control', () => {
    const report = goalReport(
      'Signed Up',
      [
        { variation: 'control', control: true, visitors: 1000, conversions: 200 },
        { variation: 'a', control: false, visitors: 1000, conversions: 250 },
      ],
      {
        holdout: 0.5,
        variations: [
          { id: 'a', weight: 1 },
          { id: 'b', weight: 1 },
        ],
      },
      null,
    )
    expect(report.control).toMatchObject({
      variation: 'control',
      visitors: 1000,
      conversions: 200,
      conversionRate: 0.2,
    })
    expect(report.variations[0]).toMatchObject({ variation: 'a', conversionRate: 0.25 })
    expect(report.variations[0]?.lift).toBeCloseTo(0.25, 10)
    expect(report.variations[0]?.pValue).toBeCloseTo(0.0074196, 5)
    // A configured variation nobody saw yet shows with zeros.
    expect(report.variations[1]).toMatchObject({
      variation: 'b',
      visitors: 0,
      conversions: 0,
      conversionRate: 0,
      rateInterval: null,
      lift: null,
      pValue: null,
      absoluteLift: null,
      chanceToBeat: null,
    })
  })
})
