import type { JsonObject } from '../traits/json.ts'

/** A company guessed from the request, never declared by the visitor. */
export interface InferredCompany {
  /** Normalised domain, as accounts are keyed. */
  domain: string
  /** Company traits (`name`, `industry`, `employeeCount`, …); `domain` is among them. */
  traits: JsonObject
  /** `ranges`: the operator's ranges file; `provider`: a paid de-anonymisation service. */
  source: 'ranges' | 'provider'
}

/** The network (autonomous system) that announces the address. */
export interface NetworkInfo {
  asn: number
  org: string
}

/**
 * What the container derived from one request's address. Every field is optional: each source
 * may be off, missing, or know nothing of the address. The address itself is never part of it.
 */
export interface Enrichment {
  /** ISO 3166-1 alpha-2, upper case (`GB`). */
  country?: string
  /** The first subdivision's ISO code or name, where the geo data has one (`ENG`, `CA`). */
  region?: string
  network?: NetworkInfo
  company?: InferredCompany
}

/** No enrichment: off, no consent, or nothing known. */
export const noEnrichment: Enrichment = Object.freeze({})
