import { logBeta, normalCdf } from './special.ts'

/** Chance to beat control and the expected loss of choosing the variation. */
export interface BayesianComparison {
  /** P(variation rate > control rate) under the posteriors. */
  chanceToBeat: number
  /** E[max(control rate − variation rate, 0)]: the conversion rate given up, on average, by shipping the variation. */
  expectedLoss: number
}

/** Above this many conversions in the smaller arm, the normal approximation replaces the exact sum. */
const exactLimit = 20_000

/**
 * Bayesian comparison with a uniform Beta(1, 1) prior on each rate, so posteriors are
 * Beta(1 + conversions, 1 + non-conversions). P(B > A) is Evan Miller's closed form (an exact
 * finite sum, deterministic); the expected loss follows from it (Chris Stucchio's identity).
 * Beyond 20 000 conversions the posteriors are normal to many digits and that form is used.
 */
export function bayesianComparison(
  x1: number,
  n1: number,
  x2: number,
  n2: number,
): BayesianComparison {
  const a1 = 1 + x1
  const b1 = 1 + n1 - x1
  const a2 = 1 + x2
  const b2 = 1 + n2 - x2
  if (Math.min(a1, a2) > exactLimit) return normalComparison(a1, b1, a2, b2)
  const chanceToBeat = probGreater(a1, b1, a2, b2)
  const mean1 = a1 / (a1 + b1)
  const mean2 = a2 / (a2 + b2)
  // E[max(p1 − p2, 0)] = E[p1 · 1{p1 > p2}] − E[p2 · 1{p1 > p2}], each a probability of one
  // posterior beating another once one of them has α raised by 1.
  const expectedLoss =
    mean1 * probGreater(a2, b2, a1 + 1, b1) - mean2 * probGreater(a2 + 1, b2, a1, b1)
  return { chanceToBeat, expectedLoss: Math.max(0, expectedLoss) }
}

/**
 * P(X2 > X1), X1 ~ Beta(a1, b1), X2 ~ Beta(a2, b2), integer a's. Sums over the smaller of a1, a2
 * (P(X2 > X1) = 1 − P(X1 > X2) for continuous variables).
 */
function probGreater(a1: number, b1: number, a2: number, b2: number): number {
  if (a1 < a2) return 1 - probGreater(a2, b2, a1, b1)
  const base = logBeta(a1, b1)
  let total = 0
  for (let i = 0; i < a2; i++) {
    total += Math.exp(logBeta(a1 + i, b1 + b2) - Math.log(b2 + i) - logBeta(1 + i, b2) - base)
  }
  return Math.min(1, Math.max(0, total))
}

function normalComparison(a1: number, b1: number, a2: number, b2: number): BayesianComparison {
  const moments = (a: number, b: number) => ({
    mean: a / (a + b),
    variance: (a * b) / ((a + b) * (a + b) * (a + b + 1)),
  })
  const one = moments(a1, b1)
  const two = moments(a2, b2)
  const sd = Math.sqrt(one.variance + two.variance)
  const gap = one.mean - two.mean
  const density = Math.exp((-0.5 * gap * gap) / (sd * sd)) / Math.sqrt(2 * Math.PI)
  return {
    chanceToBeat: normalCdf(-gap / sd),
    expectedLoss: gap * normalCdf(gap / sd) + sd * density,
  }
}
