import type { VariationCount } from './exposure.ts'
import { bayesianComparison } from './stats/bayesian.ts'
import { holmAdjust } from './stats/holm.ts'
import {
  absoluteLift,
  normalInterval,
  relativeLift,
  wilsonInterval,
  type Interval,
  type LiftEstimate,
} from './stats/intervals.ts'
import { sequentialHorizon, sequentialInterval } from './stats/sequential.ts'
import { sampleRatioCheck, srmThreshold } from './stats/srm.ts'
import { minimumSample, verdictOf, type Verdict } from './stats/verdict.ts'
import { twoProportionTest } from './two-proportion-test.ts'

/** One arm of an experience for one goal, as the report shows it. */
export interface ArmReport {
  variation: string
  visitors: number
  conversions: number
  conversionRate: number
  /** Wilson 95 % interval of the rate; `null` without visitors. */
  rateInterval: Interval | null
}

/** A lift with its fixed-horizon and always-valid 95 % intervals. */
export interface LiftReport {
  estimate: number
  interval: Interval
  sequentialInterval: Interval | null
}

/** A variation compared with the control. */
export interface VariationReport extends ArmReport {
  /** Relative lift over control; `null` when the control converted nobody. */
  lift: number | null
  /** Two-sided p-value of the two-proportion z-test; `null` without enough data. */
  pValue: number | null
  z: number | null
  /** Variation rate minus control rate. */
  absoluteLift: LiftReport | null
  /** Variation rate / control rate − 1. */
  relativeLift: LiftReport | null
  /** Always-valid p-value of "no difference" (mSPRT), safe to read every day. */
  sequentialPValue: number | null
  /** `sequentialPValue` after Holm's correction across the variations. */
  adjustedPValue: number | null
  /** P(variation rate > control rate), Beta(1, 1) priors. */
  chanceToBeat: number | null
  /** Expected conversion rate lost by shipping this variation if it is in fact worse. */
  expectedLoss: number | null
}

/** Results of one goal of an experience. */
export interface GoalReport {
  goal: string
  control: ArmReport
  variations: VariationReport[]
  /** Whether every arm has the minimum sample (exposed visitors and conversions). */
  minimumSample: { met: boolean; exposed: number; conversions: number }
  verdict: Verdict
}

/** The sample-ratio check as reported: observed and expected share per arm. */
export interface SampleRatioReport {
  chiSquare: number
  degreesOfFreedom: number
  pValue: number
  mismatch: boolean
  threshold: number
  arms: { variation: string; observed: number; expectedShare: number }[]
}

/** How the numbers were computed, so a reader can check them. */
export const reportMethod = {
  level: 0.95,
  rateInterval: 'wilson',
  relativeLiftVariance: 'delta method',
  sequential: { method: 'mSPRT normal mixture', horizonPerArm: sequentialHorizon, alpha: 0.05 },
  bayesian: { prior: 'Beta(1, 1)' },
  correction: 'holm',
  srmThreshold,
  minimumSample,
} as const

/** The configured split of an experience: holdout share and each variation's weight. */
export interface Split {
  holdout: number
  variations: readonly { id: string; weight: number }[]
}

/**
 * Builds one goal's report from the counts: rates with intervals per arm, and for each variation
 * its lifts (fixed and always-valid intervals), the z-test, the Bayesian comparison, Holm's
 * correction, and the verdict. Variations nobody saw yet show with zeros instead of vanishing.
 */
export function goalReport(
  goal: string,
  counts: readonly VariationCount[],
  split: Split,
  sampleRatio: SampleRatioReport | null,
): GoalReport {
  const control = arm(
    'control',
    counts.filter((count) => count.control),
  )
  const compared = split.variations.map((variation): Omit<VariationReport, 'adjustedPValue'> => {
    const own = arm(
      variation.id,
      counts.filter((count) => !count.control && count.variation === variation.id),
    )
    const [x1, n1, x2, n2] = [control.conversions, control.visitors, own.conversions, own.visitors]
    const test = twoProportionTest(x1, n1, x2, n2)
    const absolute = absoluteLift(x1, n1, x2, n2)
    const relative = relativeLift(x1, n1, x2, n2)
    const sequential = absolute === null ? null : sequentialInterval(absolute, n1, n2)
    const bayes = n1 > 0 && n2 > 0 ? bayesianComparison(x1, n1, x2, n2) : null
    return {
      ...own,
      lift: test.lift,
      pValue: test.pValue,
      z: test.z,
      absoluteLift: liftReport(absolute, n1, n2),
      relativeLift: liftReport(relative, n1, n2),
      sequentialPValue: sequential?.pValue ?? null,
      chanceToBeat: bayes?.chanceToBeat ?? null,
      expectedLoss: bayes?.expectedLoss ?? null,
    }
  })
  const live = compared.filter((_, i) => (split.variations[i]?.weight ?? 0) > 0)
  const adjusted = holmAdjust(live.map((variation) => variation.sequentialPValue))
  const variations = compared.map((variation): VariationReport => ({
    ...variation,
    adjustedPValue: adjusted[live.indexOf(variation)] ?? null,
  }))
  const liveReports = variations.filter((_, i) => (split.variations[i]?.weight ?? 0) > 0)
  const met = [control, ...liveReports].every(
    (a) => a.visitors >= minimumSample.exposed && a.conversions >= minimumSample.conversions,
  )
  const verdict = verdictOf({
    hasControl: split.holdout > 0,
    control,
    variations: liveReports.map((variation) => ({
      variation: variation.variation,
      visitors: variation.visitors,
      conversions: variation.conversions,
      relativeLift: variation.lift,
      sequentialRelative: variation.relativeLift?.sequentialInterval ?? null,
      sequentialAbsolute: variation.absoluteLift?.sequentialInterval ?? null,
      adjustedPValue: variation.adjustedPValue,
      chanceToBeat: variation.chanceToBeat,
    })),
    sampleRatio,
  })
  return { goal, control, variations, minimumSample: { met, ...minimumSample }, verdict }
}

/**
 * The sample-ratio-mismatch check on exposures: control against the holdout share, each
 * variation against `(1 − holdout) · weight / Σ weights`. `null` before anyone is exposed or
 * with fewer than two arms that get traffic.
 */
export function sampleRatioReport(
  exposed: ReadonlyMap<string, number>,
  split: Split,
): SampleRatioReport | null {
  const weightSum = split.variations.reduce((sum, variation) => sum + variation.weight, 0)
  const arms = [
    { variation: 'control', share: split.holdout },
    ...split.variations.map((variation) => ({
      variation: variation.id,
      share: weightSum > 0 ? ((1 - split.holdout) * variation.weight) / weightSum : 0,
    })),
  ]
  const observed = arms.map((a) => exposed.get(a.variation) ?? 0)
  const check = sampleRatioCheck(
    observed,
    arms.map((a) => a.share),
  )
  if (check === null) return null
  return {
    chiSquare: check.chiSquare,
    degreesOfFreedom: check.degreesOfFreedom,
    pValue: check.pValue,
    mismatch: check.mismatch,
    threshold: srmThreshold,
    arms: arms.map((a, i) => ({
      variation: a.variation,
      observed: observed[i] ?? 0,
      expectedShare: check.expectedShares[i] ?? 0,
    })),
  }
}

function liftReport(lift: LiftEstimate | null, n1: number, n2: number): LiftReport | null {
  if (lift === null) return null
  return {
    estimate: lift.estimate,
    interval: normalInterval(lift),
    sequentialInterval: sequentialInterval(lift, n1, n2)?.interval ?? null,
  }
}

function arm(variation: string, counts: readonly VariationCount[]): ArmReport {
  const visitors = counts.reduce((sum, count) => sum + count.visitors, 0)
  const conversions = counts.reduce((sum, count) => sum + count.conversions, 0)
  return {
    variation,
    visitors,
    conversions,
    conversionRate: visitors > 0 ? conversions / visitors : 0,
    rateInterval: wilsonInterval(conversions, visitors),
  }
}
