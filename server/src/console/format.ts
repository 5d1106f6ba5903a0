/** Number formats of the console: one place, so every page reads the same. */

/** `12.3 %` (one decimal), `n/a` for nothing. */
export function pct(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'n/a'
  return `${(value * 100).toFixed(digits)} %`
}

/** `+12.3 %` / `−4.0 %`: a signed change. */
export function signedPct(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'n/a'
  return `${signed(value * 100, digits)} %`
}

/** `+8.34 pts`: a difference of rates in percentage points. */
export function signedPoints(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'n/a'
  return `${signed(value * 100, digits)} pts`
}

/** `+4.9 to +11.7 pts` for an interval of rate differences. */
export function pointsRange(interval: { low: number; high: number } | null | undefined): string {
  return interval == null
    ? 'n/a'
    : `${signed(interval.low * 100, 1)} to ${signed(interval.high * 100, 1)} pts`
}

/** A number with its sign, rounded first so a tiny negative reads `0.0`, not `−0.0`. */
function signed(value: number, digits: number): string {
  const text = Math.abs(value).toFixed(digits)
  if (Number(text) === 0) return text
  return value > 0 ? `+${text}` : `−${text}`
}

/** `[+1.0 %, +8.2 %]` for an interval of changes. */
export function signedRange(interval: { low: number; high: number } | null | undefined): string {
  return interval == null ? 'n/a' : `${signedPct(interval.low)} to ${signedPct(interval.high)}`
}

/** `17.6 % – 22.6 %` for an interval of rates. */
export function rateRange(interval: { low: number; high: number } | null | undefined): string {
  return interval == null ? 'n/a' : `${pct(interval.low)} – ${pct(interval.high)}`
}

/** A p-value: `0.0074`, `< 0.0001`, `n/a`. */
export function pValue(p: number | null | undefined): string {
  if (p === null || p === undefined) return 'n/a'
  return p < 0.0001 ? '< 0.0001' : p.toFixed(4)
}

/** `1,234`. */
export function count(n: number): string {
  return n.toLocaleString('en-US')
}

/** `2026-06-01 14:03 UTC`. */
export function when(ms: number | string): string {
  const date = new Date(ms)
  return Number.isNaN(date.getTime())
    ? String(ms)
    : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`
}
