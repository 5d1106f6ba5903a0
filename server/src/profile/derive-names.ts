import type { JsonObject } from '../traits/json.ts'

/**
 * Fills in `name` from `firstName`/`lastName`, or those from `name`, when one side is missing.
 * Done on read, so a later write to either side is never overwritten by a stale guess.
 */
export function deriveNames(traits: JsonObject): JsonObject {
  const { name, firstName, lastName } = traits
  const out = { ...traits }
  if (typeof name !== 'string' && (typeof firstName === 'string' || typeof lastName === 'string')) {
    const parts = [firstName, lastName].filter(
      (part): part is string => typeof part === 'string' && part !== '',
    )
    const joined = parts.join(' ')
    if (joined !== '') out.name = joined
  }
  if (typeof name === 'string' && firstName === undefined && lastName === undefined) {
    const [first, ...rest] = name.trim().split(/\s+/)
    if (first !== undefined && first !== '') out.firstName = first
    if (rest.length > 0) out.lastName = rest.join(' ')
  }
  return out
}
