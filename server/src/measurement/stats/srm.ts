import { chiSquareSurvival } from './special.ts'

/** Result of the sample-ratio-mismatch check. */
export interface SampleRatioCheck {
  /** Pearson chi-square statistic of observed against expected exposures. */
  chiSquare: number
  degreesOfFreedom: number
  pValue: number
  /** True when p < `threshold` (default 0.001): the split is broken, results cannot be trusted. */
  mismatch: boolean
  /** Each arm's expected share, in the order given. */
  expectedShares: number[]
}

/** The p-value below which the split is declared broken, as GrowthBook, Statsig and Eppo use. */
export const srmThreshold = 0.001

/**
 * Pearson chi-square goodness-of-fit of the observed exposures per arm against the configured
 * split (`weights`, any positive scale; arms with weight 0 are left out). `null` with fewer
 * than two arms that should get traffic, or no exposures yet.
 */
export function sampleRatioCheck(
  observed: readonly number[],
  weights: readonly number[],
  threshold = srmThreshold,
): SampleRatioCheck | null {
  const total = observed.reduce((sum, n) => sum + n, 0)
  const weightSum = weights.reduce((sum, w) => sum + w, 0)
  const live = weights.filter((w) => w > 0).length
  if (total === 0 || live < 2 || weightSum <= 0) return null
  const expectedShares = weights.map((w) => w / weightSum)
  let chiSquare = 0
  for (const [i, share] of expectedShares.entries()) {
    const seen = observed[i] ?? 0
    if (share === 0) continue
    const expected = share * total
    chiSquare += ((seen - expected) * (seen - expected)) / expected
  }
  const degreesOfFreedom = live - 1
  const pValue = chiSquareSurvival(chiSquare, degreesOfFreedom)
  return { chiSquare, degreesOfFreedom, pValue, mismatch: pValue < threshold, expectedShares }
}
