/** The outcome of comparing a variation's conversion rate with the control's. */
export interface ProportionTest {
  /** (variation rate − control rate) / control rate; `null` when either group is empty or the control rate is 0. */
  lift: number | null
  /** The z statistic with the pooled standard error; `null` when it is undefined (no data). */
  z: number | null
  /** Two-sided p-value; `null` when `z` is. */
  pValue: number | null
}

/**
 * Two-proportion z-test (pooled), two-sided: is the variation's rate `x2/n2` different from the
 * control's `x1/n1`? Valid for large samples (each group with ~5+ conversions and non-conversions);
 * the report shows the counts so the reader can judge.
 */
export function twoProportionTest(x1: number, n1: number, x2: number, n2: number): ProportionTest {
  const p1 = n1 > 0 ? x1 / n1 : 0
  const p2 = n2 > 0 ? x2 / n2 : 0
  const lift = n1 > 0 && n2 > 0 && p1 > 0 ? (p2 - p1) / p1 : null
  if (n1 === 0 || n2 === 0) return { lift, z: null, pValue: null }
  const pooled = (x1 + x2) / (n1 + n2)
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
  if (se === 0) return { lift, z: null, pValue: null }
  const z = (p2 - p1) / se
  return { lift, z, pValue: Math.min(1, erfc(Math.abs(z) / Math.SQRT2)) }
}

/**
 * Complementary error function, Chebyshev fit with fractional error below 1.2e-7 everywhere
 * (Numerical Recipes, `erfcc`). `erfc(|z|/√2)` is the two-sided normal tail probability.
 */
export function erfc(x: number): number {
  const z = Math.abs(x)
  const t = 1 / (1 + 0.5 * z)
  const poly =
    -z * z -
    1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t *
                      (0.27886807 +
                        t *
                          (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))))
  const result = t * Math.exp(poly)
  return x >= 0 ? result : 2 - result
}
