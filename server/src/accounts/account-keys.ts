import type { JsonObject } from '../traits/json.ts'
import { freeMailDomains } from './free-mail-domains.ts'
import { normalizeDomain } from './normalize-domain.ts'

/**
 * The lookup keys of a company: `id:<company.id>` first, then `domain:<normalised domain>`. An
 * account is found by its first key that is known; the others are attached to it.
 */
export function companyKeys(company: JsonObject): string[] {
  const keys: string[] = []
  if (typeof company.id === 'string') keys.push(`id:${company.id}`)
  if (typeof company.domain === 'string') keys.push(`domain:${company.domain}`)
  return keys
}

/** The employer domain an email gives away, or `undefined` for free-mail and malformed ones. */
export function workEmailDomain(email: unknown): string | undefined {
  if (typeof email !== 'string') return undefined
  const at = email.lastIndexOf('@')
  if (at < 0) return undefined
  const domain = normalizeDomain(email.slice(at + 1))
  return domain === undefined || freeMailDomains.has(domain) ? undefined : domain
}
