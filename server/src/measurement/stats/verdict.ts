/** What a goal's results say, for a person deciding what to do. */
export type VerdictStatus = 'collecting' | 'ready' | 'winner' | 'loser' | 'inconclusive' | 'invalid'

/** A verdict and its one-line reason. */
export interface Verdict {
  status: VerdictStatus
  reason: string
}

/** Smallest sample per arm before any verdict: GrowthBook's and PostHog's defaults. */
export const minimumSample = { exposed: 50, conversions: 5 } as const

/** Relative lifts inside ±5 % are "no difference worth having" for the inconclusive verdict. */
export const equivalenceMargin = 0.05

/** The family-wise error rate of the decisions (Holm across arms, always-valid p-values). */
export const decisionAlpha = 0.05

/** What the verdict reads of one variation. */
export interface VerdictArm {
  variation: string
  visitors: number
  conversions: number
  relativeLift: number | null
  /** Always-valid interval of the relative lift. */
  sequentialRelative: { low: number; high: number } | null
  /** Always-valid interval of the absolute lift (the one the decision's p-value belongs to). */
  sequentialAbsolute: { low: number; high: number } | null
  /** Holm-adjusted always-valid p-value. */
  adjustedPValue: number | null
  chanceToBeat: number | null
}

/** Everything the verdict depends on for one goal. */
export interface VerdictInput {
  hasControl: boolean
  control: { visitors: number; conversions: number }
  variations: readonly VerdictArm[]
  sampleRatio: { pValue: number; mismatch: boolean } | null
}

/**
 * The verdict, checked in this order: no control or a sample-ratio mismatch → invalid; an arm
 * below the minimum sample → collecting; a variation better than control at Holm-adjusted
 * always-valid p < 0.05 (of the rate difference) → winner (the likeliest best); every variation worse that way → loser;
 * every always-valid interval of the relative lift inside ±5 % → inconclusive; else ready
 * (enough data to read, no decision yet).
 */
export function verdictOf(input: VerdictInput): Verdict {
  if (!input.hasControl) {
    return { status: 'invalid', reason: 'No holdout: there is no control to compare with.' }
  }
  if (input.sampleRatio?.mismatch === true) {
    return {
      status: 'invalid',
      reason: `Sample ratio mismatch (p = ${formatP(input.sampleRatio.pValue)}): the split does not match the configured weights, so the results cannot be trusted.`,
    }
  }
  if (input.variations.length === 0) {
    return { status: 'invalid', reason: 'No variation gets traffic.' }
  }
  const arms = [{ variation: 'control', ...input.control }, ...input.variations]
  for (const arm of arms) {
    if (arm.visitors < minimumSample.exposed) {
      return {
        status: 'collecting',
        reason: `${arm.variation} has ${arm.visitors} of the ${minimumSample.exposed} exposed visitors needed.`,
      }
    }
    if (arm.conversions < minimumSample.conversions) {
      return {
        status: 'collecting',
        reason: `${arm.variation} has ${arm.conversions} of the ${minimumSample.conversions} conversions needed.`,
      }
    }
  }
  const significant = (arm: VerdictArm) =>
    arm.adjustedPValue !== null && arm.adjustedPValue < decisionAlpha
  const winners = input.variations
    .filter((arm) => significant(arm) && (arm.relativeLift ?? 0) > 0)
    .sort((a, b) => (b.chanceToBeat ?? 0) - (a.chanceToBeat ?? 0))
  const best = winners[0]
  if (best !== undefined) {
    return {
      status: 'winner',
      reason: `${best.variation} converts ${percent(best.relativeLift)} better than control (always-valid 95 % interval of the difference: ${points(best.sequentialAbsolute)}).`,
    }
  }
  if (input.variations.every((arm) => significant(arm) && (arm.relativeLift ?? 0) < 0)) {
    const names = input.variations.map((arm) => arm.variation).join(', ')
    return {
      status: 'loser',
      reason: `${names} ${input.variations.length === 1 ? 'converts' : 'convert'} worse than control (${input.variations.map((arm) => percent(arm.relativeLift)).join(', ')}).`,
    }
  }
  if (
    input.variations.every(
      (arm) =>
        arm.sequentialRelative !== null &&
        arm.sequentialRelative.low > -equivalenceMargin &&
        arm.sequentialRelative.high < equivalenceMargin,
    )
  ) {
    return {
      status: 'inconclusive',
      reason: `No difference larger than ${Math.round(equivalenceMargin * 100)} % either way: more data will not make a winner worth having.`,
    }
  }
  const leader = [...input.variations].sort(
    (a, b) => (b.chanceToBeat ?? 0) - (a.chanceToBeat ?? 0),
  )[0]
  return {
    status: 'ready',
    reason: `Enough data to read; no significant difference yet${leader?.chanceToBeat == null ? '' : ` (${leader.variation}: ${Math.round(leader.chanceToBeat * 100)} % chance to beat control)`}.`,
  }
}

function formatP(p: number): string {
  return p < 0.0001 ? '< 0.0001' : p.toFixed(4)
}

/** `+20 %` / `−15 %`. */
export function percent(value: number | null | undefined): string {
  if (value === null || value === undefined) return 'n/a'
  const rounded = Math.round(value * 1000) / 10
  return `${rounded > 0 ? '+' : rounded < 0 ? '−' : ''}${Math.abs(rounded)} %`
}

/** `+2.5 to +13.4 points`: an interval of rate differences in percentage points. */
function points(interval: { low: number; high: number } | null): string {
  if (interval === null) return 'n/a'
  const one = (value: number) => {
    const rounded = Math.round(value * 1000) / 10
    return `${rounded > 0 ? '+' : rounded < 0 ? '−' : ''}${Math.abs(rounded)}`
  }
  return `${one(interval.low)} to ${one(interval.high)} points`
}
