/**
 * Values as the GTM sandbox sees them. Objects from the vm realm have another `Object.prototype`,
 * so nothing here relies on `instanceof` or prototypes.
 */

/** GTM's `getType`: string, number, boolean, null, undefined, array, object or function. */
export function getType(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  return typeof value === 'bigint' || typeof value === 'symbol' ? 'object' : typeof value
}

/**
 * Copies a value across the sandbox boundary, as GTM does when a template hands data to the page
 * or reads it back: arrays and plain objects are copied deeply, functions pass as they are.
 */
export function copyValue(value: unknown, depth = 0): unknown {
  if (depth > 50) throw new Error('value nested deeper than 50 levels (cyclic?)')
  if (Array.isArray(value)) return value.map((item) => copyValue(item, depth + 1))
  if (typeof value === 'object' && value !== null) {
    const copy: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) copy[key] = copyValue(item, depth + 1)
    return copy
  }
  return value
}

/** Deep equality as `assertThat(...).isEqualTo` uses it: same shape, same values, functions by identity. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b)
  const type = getType(a)
  if (type !== getType(b)) return false
  if (type === 'array') {
    const left = a as unknown[]
    const right = b as unknown[]
    return left.length === right.length && left.every((item, i) => deepEqual(item, right[i]))
  }
  if (type === 'object') {
    const left = a as Record<string, unknown>
    const right = b as Record<string, unknown>
    const keys = Object.keys(left)
    return (
      keys.length === Object.keys(right).length &&
      keys.every((key) => Object.hasOwn(right, key) && deepEqual(left[key], right[key]))
    )
  }
  return false
}

/** A short, readable rendering of a value for assertion messages. */
export function show(value: unknown): string {
  if (typeof value === 'function') return '[function]'
  if (value === undefined) return 'undefined'
  try {
    return JSON.stringify(value, (_key, item: unknown) =>
      typeof item === 'function' ? '[function]' : item === undefined ? '[undefined]' : item,
    )
  } catch {
    return Object.prototype.toString.call(value)
  }
}

/** A note or message given by test code, as text. */
export function text(value: unknown): string {
  return typeof value === 'string' ? value : show(value)
}
