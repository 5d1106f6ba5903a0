import type { IpAddress } from './ip-address.ts'

/**
 * Sorted, non-overlapping address ranges with a value index each, searched by bisection:
 * IPv4 bounds in `Uint32Array`s, IPv6 bounds as high and low 64-bit halves in `BigUint64Array`s,
 * so half a million ranges cost a few megabytes and no per-range objects.
 */
export class RangeTable<T> {
  readonly #v4: { start: Uint32Array; end: Uint32Array; value: Uint32Array }
  readonly #v6: {
    startHi: BigUint64Array
    startLo: BigUint64Array
    endHi: BigUint64Array
    endLo: BigUint64Array
    value: Uint32Array
  }
  readonly #values: readonly T[]

  constructor(builder: RangeTableBuilder<T>) {
    this.#values = builder.values
    const v4 = builder.v4
    this.#v4 = {
      start: Uint32Array.from(v4.start),
      end: Uint32Array.from(v4.end),
      value: Uint32Array.from(v4.value),
    }
    const v6 = builder.v6
    const lo = (x: bigint): bigint => x & 0xffffffffffffffffn
    this.#v6 = {
      startHi: BigUint64Array.from(v6.start, (x) => x >> 64n),
      startLo: BigUint64Array.from(v6.start, lo),
      endHi: BigUint64Array.from(v6.end, (x) => x >> 64n),
      endLo: BigUint64Array.from(v6.end, lo),
      value: Uint32Array.from(v6.value),
    }
  }

  /** Ranges held, IPv4 and IPv6 together. */
  get size(): number {
    return this.#v4.start.length + this.#v6.value.length
  }

  /** The value of the range holding `ip`, or `undefined`. */
  get(ip: IpAddress): T | undefined {
    if (ip.version === 4) {
      const { start, end, value } = this.#v4
      const i = lastAtMost(start.length, (k) => (start[k] ?? 0) <= ip.value)
      return i >= 0 && ip.value <= (end[i] ?? -1) ? this.#values[value[i] ?? 0] : undefined
    }
    const hi = ip.value >> 64n
    const lo = ip.value & 0xffffffffffffffffn
    const { startHi, startLo, endHi, endLo, value } = this.#v6
    const i = lastAtMost(startHi.length, (k) => {
      const h = startHi[k] ?? 0n
      return h < hi || (h === hi && (startLo[k] ?? 0n) <= lo)
    })
    if (i < 0) return undefined
    const eh = endHi[i] ?? 0n
    const inside = hi < eh || (hi === eh && lo <= (endLo[i] ?? 0n))
    return inside ? this.#values[value[i] ?? 0] : undefined
  }
}

/** The last index in `[0, length)` for which `atMost` holds (a prefix of true), or -1. */
function lastAtMost(length: number, atMost: (k: number) => boolean): number {
  let low = 0
  let high = length - 1
  let found = -1
  while (low <= high) {
    const mid = (low + high) >>> 1
    if (atMost(mid)) {
      found = mid
      low = mid + 1
    } else high = mid - 1
  }
  return found
}

/** Collects ranges in ascending order before they are packed into a `RangeTable`. */
export class RangeTableBuilder<T> {
  readonly v4 = { start: [] as number[], end: [] as number[], value: [] as number[] }
  readonly v6 = { start: [] as bigint[], end: [] as bigint[], value: [] as number[] }
  readonly values: T[] = []
  readonly #index = new Map<string, number>()
  /** Ranges that overlapped the one before and were cut to start after it. */
  clipped = 0

  /**
   * Adds a range whose value is named by `key` (equal keys share one value, made once by
   * `make`). A range overlapping the previous one keeps only its part after it (published data
   * has the odd overlap; `clipped` counts them); one starting before the previous start throws.
   */
  add(version: 4 | 6, start: bigint, end: bigint, key: string, make: () => T): void {
    if (version === 4) this.add4(Number(start), Number(end), key, make)
    else this.add6(start, end, key, make)
  }

  /** `add` for IPv4, with bounds as numbers (no bigint per row while loading). */
  add4(start: number, end: number, key: string, make: () => T): void {
    const bounds = this.v4
    const previous = bounds.end.at(-1)
    let from = start
    if (previous !== undefined && from <= previous) {
      if (from < (bounds.start.at(-1) ?? 0)) throw new Error('ranges are not in ascending order')
      this.clipped += 1
      from = previous + 1
    }
    if (end < start) throw new Error('range ends before it starts')
    if (from > end) return
    bounds.start.push(from)
    bounds.end.push(end)
    bounds.value.push(this.#valueIndex(key, make))
  }

  /** `add` for IPv6. */
  add6(start: bigint, end: bigint, key: string, make: () => T): void {
    const bounds = this.v6
    const previous = bounds.end.at(-1)
    let from = start
    if (previous !== undefined && from <= previous) {
      if (from < (bounds.start.at(-1) ?? 0n)) throw new Error('ranges are not in ascending order')
      this.clipped += 1
      from = previous + 1n
    }
    if (end < start) throw new Error('range ends before it starts')
    if (from > end) return
    bounds.start.push(from)
    bounds.end.push(end)
    bounds.value.push(this.#valueIndex(key, make))
  }

  #valueIndex(key: string, make: () => T): number {
    let index = this.#index.get(key)
    if (index === undefined) {
      index = this.values.push(make()) - 1
      this.#index.set(key, index)
    }
    return index
  }
}
