import { normalQuantile } from './special.ts'

/** A two-sided interval; `null` bounds where it is undefined (no data). */
export interface Interval {
  low: number
  high: number
}

/** The z quantile of a two-sided interval at `level` (0.95 → 1.959964). */
export function zFor(level: number): number {
  return normalQuantile(1 - (1 - level) / 2)
}

/**
 * Wilson score interval for a rate `x / n` (default level 0.95): unlike the normal ("Wald")
 * interval it stays inside [0, 1] and is honest at 0 or n conversions. `null` when `n` is 0.
 */
export function wilsonInterval(x: number, n: number, level = 0.95): Interval | null {
  if (n <= 0) return null
  const z = zFor(level)
  const p = x / n
  const z2 = z * z
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n)
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) }
}

/** A lift estimate with the variance of the estimate (for fixed and sequential intervals). */
export interface LiftEstimate {
  estimate: number
  variance: number
}

/**
 * Absolute lift `p2 − p1` (variation minus control) and its unpooled variance
 * `p1(1−p1)/n1 + p2(1−p2)/n2`. `null` when either arm is empty.
 */
export function absoluteLift(x1: number, n1: number, x2: number, n2: number): LiftEstimate | null {
  if (n1 <= 0 || n2 <= 0) return null
  const p1 = x1 / n1
  const p2 = x2 / n2
  return { estimate: p2 - p1, variance: (p1 * (1 - p1)) / n1 + (p2 * (1 - p2)) / n2 }
}

/**
 * Relative lift `p2 / p1 − 1` and its delta-method variance
 * `(p2/p1)² · ((1−p1)/(n1 p1) + (1−p2)/(n2 p2))`, the form Eppo and GrowthBook use. `null` when
 * either arm is empty or the control rate is 0. A variation rate of 0 keeps only the control
 * term (the variation's own term is 0 · ∞ there, and its limit is 0).
 */
export function relativeLift(x1: number, n1: number, x2: number, n2: number): LiftEstimate | null {
  if (n1 <= 0 || n2 <= 0 || x1 <= 0) return null
  const p1 = x1 / n1
  const p2 = x2 / n2
  const ratio = p2 / p1
  const controlTerm = (1 - p1) / (n1 * p1)
  const variationTerm = p2 > 0 ? (1 - p2) / (n2 * p2) : 0
  return { estimate: ratio - 1, variance: ratio * ratio * (controlTerm + variationTerm) }
}

/** The fixed-horizon (normal) interval of an estimate at `level` (default 0.95). */
export function normalInterval(lift: LiftEstimate, level = 0.95): Interval {
  const half = zFor(level) * Math.sqrt(lift.variance)
  return { low: lift.estimate - half, high: lift.estimate + half }
}
