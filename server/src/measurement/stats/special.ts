/**
 * Special functions the statistics need, in plain TypeScript (no dependency): log-gamma, the
 * regularised incomplete gamma (chi-square tails), the standard normal CDF and its inverse.
 */
import { erfc } from '../two-proportion-test.ts'

const lanczos = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
]

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; relative error about 1e-15). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x)
  const z = x - 1
  let sum = lanczos[0] ?? 0
  for (let i = 1; i < lanczos.length; i++) sum += (lanczos[i] ?? 0) / (z + i)
  const t = z + 7.5
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum)
}

/** ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b). */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b)
}

/**
 * Q(a, x) = Γ(a, x) / Γ(a), the regularised upper incomplete gamma: a series below a + 1, a
 * continued fraction above (Numerical Recipes `gammq`), to about 1e-14.
 */
export function upperGammaRegularized(a: number, x: number): number {
  if (x <= 0) return 1
  const prefix = -x + a * Math.log(x) - logGamma(a)
  if (x < a + 1) {
    let term = 1 / a
    let sum = term
    for (let n = 1; n < 1000; n++) {
      term *= x / (a + n)
      sum += term
      if (Math.abs(term) < Math.abs(sum) * 1e-16) break
    }
    return 1 - sum * Math.exp(prefix)
  }
  const tiny = 1e-300
  let b = x + 1 - a
  let c = 1 / tiny
  let d = 1 / b
  let h = d
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a)
    b += 2
    d = an * d + b
    if (Math.abs(d) < tiny) d = tiny
    c = b + an / c
    if (Math.abs(c) < tiny) c = tiny
    d = 1 / d
    const delta = d * c
    h *= delta
    if (Math.abs(delta - 1) < 1e-16) break
  }
  return Math.exp(prefix) * h
}

/** P(X ≥ x) for X chi-square with `df` degrees of freedom. */
export function chiSquareSurvival(x: number, df: number): number {
  return upperGammaRegularized(df / 2, x / 2)
}

/** Φ(x), the standard normal CDF. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2)
}

// Coefficients of Wichura's AS 241 (PPND16), lowest power first.
const central = [
  3.3871328727963665, 133.14166789178438, 1971.5909503065513, 13731.69376550946, 45921.95393154987,
  67265.7709270087, 33430.57558358813, 2509.0809287301227,
]
const centralDen = [
  1, 42.31333070160091, 687.1870074920579, 5394.196021424751, 21213.794301586597, 39307.89580009271,
  28729.085735721943, 5226.495278852546,
]
const near = [
  1.4234371107496835, 4.630337846156546, 5.769497221460691, 3.6478483247632045, 1.2704582524523684,
  0.2417807251774506, 0.022723844989269184, 0.0007745450142783414,
]
const nearDen = [
  1, 2.053191626637759, 1.6763848301838038, 0.6897673349851, 0.14810397642748008,
  0.015198666563616457, 0.0005475938084995345, 1.0507500716444169e-9,
]
const tail = [
  6.657904643501103, 5.463784911164114, 1.7848265399172913, 0.29656057182850487,
  0.026532189526576124, 0.0012426609473880784, 0.000027115555687434876, 2.0103343992922881e-7,
]
const tailDen = [
  1, 0.599832206555888, 0.1369298809227358, 0.014875361290850615, 0.0007868691311456133,
  0.000018463183175100548, 1.421511758316446e-7, 2.0442631033899397e-15,
]

/** c[0] + c[1]·x + … by Horner's rule. */
function poly(c: readonly number[], x: number): number {
  let sum = 0
  for (let i = c.length - 1; i >= 0; i--) sum = sum * x + (c[i] ?? 0)
  return sum
}

/**
 * Φ⁻¹(p), the standard normal quantile (Wichura's AS 241, PPND16: relative error about 1e-16).
 */
export function normalQuantile(p: number): number {
  if (p <= 0) return -Infinity
  if (p >= 1) return Infinity
  const q = p - 0.5
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q
    return (q * poly(central, r)) / poly(centralDen, r)
  }
  const r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p))
  const value =
    r <= 5 ? poly(near, r - 1.6) / poly(nearDen, r - 1.6) : poly(tail, r - 5) / poly(tailDen, r - 5)
  return q < 0 ? -value : value
}
