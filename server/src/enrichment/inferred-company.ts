import { isJsonObject, isSafeKey, type Json, type JsonObject } from '../traits/json.ts'
import type { InferredCompany } from './enrichment.ts'

/** What `company.*` reads, and where it came from. */
export interface CompanyView {
  traits: JsonObject
  source: 'declared' | 'inferred' | undefined
}

/**
 * The company a request's rules and templates see. Declared traits (the visitor's account)
 * always win: an inferred company only fills leaves the account lacks, and only when it is the
 * same company (same domain); a visitor without an account sees the inferred company. Provider
 * firmographics for the company's domain fill what is still missing. Nothing is written back:
 * this is a view for one request.
 */
export function companyView(
  declared: JsonObject | undefined,
  inferred: InferredCompany | undefined,
  firmographics: ((domain: string) => JsonObject | undefined) | undefined,
): CompanyView {
  if (declared !== undefined) {
    const domain = typeof declared.domain === 'string' ? declared.domain : undefined
    let traits = declared
    if (inferred !== undefined && inferred.domain === domain)
      traits = fillMissing(traits, inferred.traits)
    const extra = domain === undefined ? undefined : firmographics?.(domain)
    if (extra !== undefined) traits = fillMissing(traits, extra)
    return { traits, source: 'declared' }
  }
  if (inferred === undefined) return { traits: {}, source: undefined }
  const extra = firmographics?.(inferred.domain)
  return {
    traits: extra === undefined ? inferred.traits : fillMissing(inferred.traits, extra),
    source: 'inferred',
  }
}

/** `base` with the leaves of `extra` it does not have (missing, `null` or empty text). */
export function fillMissing(base: JsonObject, extra: JsonObject): JsonObject {
  const out: JsonObject = { ...base }
  for (const [key, value] of Object.entries(extra)) {
    if (!isSafeKey(key)) continue
    const own: Json | undefined = Object.hasOwn(base, key) ? base[key] : undefined
    if (isJsonObject(own) && isJsonObject(value)) out[key] = fillMissing(own, value)
    else if (own === undefined || own === null || own === '') out[key] = value
  }
  return out
}
