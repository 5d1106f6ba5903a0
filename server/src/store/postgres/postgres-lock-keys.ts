import { hash } from 'node:crypto'

/**
 * The 64-bit advisory-lock key of a string: the first 8 bytes of its SHA-256, signed. Every
 * instance on a database must compute the same key for the same name, so this never changes
 * between versions. Two strings that collide only serialise more than needed; they never
 * deadlock.
 */
function advisoryKeyOf(name: string): bigint {
  return hash('sha256', name, 'buffer').readBigInt64BE(0)
}

/** `advisoryKeyOf` as the decimal text PostgreSQL reads into a `bigint`. */
export function advisoryKey(name: string): string {
  return advisoryKeyOf(name).toString()
}

/**
 * The keys of a `lock(names)` call, without repeats and in ascending numeric order: every
 * transaction takes its locks in one global order, so two of them never wait on each other in
 * a cycle. `namespace` keeps stores on different schemas of one database apart.
 */
export function sortedAdvisoryKeys(namespace: string, names: readonly string[]): string[] {
  const keys = [...new Set(names.map((name) => advisoryKeyOf(`${namespace}:${name}`)))]
  return keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(String)
}
