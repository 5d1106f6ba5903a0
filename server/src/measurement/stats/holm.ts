/**
 * Holm–Bonferroni adjusted p-values (Holm 1979), in the order given: sort ascending, multiply
 * the i-th smallest (0-based) by (m − i), keep them non-decreasing, cap at 1. Rejecting every
 * adjusted p below α controls the family-wise error rate at α across the arms. `null`s (arms
 * without a p-value) stay `null` and do not count towards m.
 */
export function holmAdjust(pValues: readonly (number | null)[]): (number | null)[] {
  const present = pValues
    .map((p, index) => ({ p, index }))
    .filter((entry): entry is { p: number; index: number } => entry.p !== null)
    .sort((a, b) => a.p - b.p)
  const m = present.length
  const out: (number | null)[] = pValues.map(() => null)
  let running = 0
  for (const [rank, { p, index }] of present.entries()) {
    running = Math.max(running, Math.min(1, (m - rank) * p))
    out[index] = running
  }
  return out
}
