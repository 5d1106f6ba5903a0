import { hash } from 'node:crypto'

/**
 * The 64-bit advisory-lock key of a string, as the decimal text PostgreSQL reads into a
 * `bigint`. Two strings that collide only serialise more than needed; they never deadlock.
 */
export function advisoryKey(name: string): string {
  return hash('sha256', name, 'buffer').readBigInt64BE(0).toString()
}

/**
 * The keys of a `lock(names)` call, without repeats and in ascending numeric order: every
 * transaction takes its locks in one global order, so two of them never wait on each other in
 * a cycle. `namespace` keeps stores on different schemas of one database apart.
 */
export function sortedAdvisoryKeys(namespace: string, names: readonly string[]): string[] {
  const keys = new Set(names.map((name) => advisoryKey(`${namespace}:${name}`)))
  return [...keys].sort((a, b) => {
    const difference = BigInt(a) - BigInt(b)
    return difference < 0n ? -1 : difference > 0n ? 1 : 0
  })
}
