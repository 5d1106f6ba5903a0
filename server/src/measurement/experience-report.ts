import type { VariationCount } from './exposure.ts'
import { twoProportionTest } from './two-proportion-test.ts'

/** One arm of an experience for one goal, as the report shows it. */
export interface ArmReport {
  variation: string
  visitors: number
  conversions: number
  conversionRate: number
}

/** A variation compared with the control. */
export interface VariationReport extends ArmReport {
  /** Relative lift over control; `null` when the control converted nobody. */
  lift: number | null
  /** Two-sided p-value of the two-proportion z-test; `null` without enough data. */
  pValue: number | null
}

/** Results of one goal of an experience. */
export interface GoalReport {
  goal: string
  control: ArmReport
  variations: VariationReport[]
}

/**
 * Builds one goal's report from the counts: rates per arm, and for each variation its lift over
 * the control and the p-value. `variationIds` lists the configured variations, so one nobody
 * saw yet shows with zeros instead of vanishing.
 */
export function goalReport(
  goal: string,
  counts: readonly VariationCount[],
  variationIds: readonly string[],
): GoalReport {
  const control = arm(
    'control',
    counts.filter((count) => count.control),
  )
  const variations = variationIds.map((id): VariationReport => {
    const own = arm(
      id,
      counts.filter((count) => !count.control && count.variation === id),
    )
    const test = twoProportionTest(
      control.conversions,
      control.visitors,
      own.conversions,
      own.visitors,
    )
    return { ...own, lift: test.lift, pValue: test.pValue }
  })
  return { goal, control, variations }
}

function arm(variation: string, counts: readonly VariationCount[]): ArmReport {
  const visitors = counts.reduce((sum, count) => sum + count.visitors, 0)
  const conversions = counts.reduce((sum, count) => sum + count.conversions, 0)
  return {
    variation,
    visitors,
    conversions,
    conversionRate: visitors > 0 ? conversions / visitors : 0,
  }
}
