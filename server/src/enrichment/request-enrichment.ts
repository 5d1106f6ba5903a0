import type { InferredFacts } from '../profile/profile.ts'
import type { JsonObject } from '../traits/json.ts'
import { mayEnrich } from './consent.ts'
import type { Enricher } from './enricher.ts'
import type { Enrichment } from './enrichment.ts'

/**
 * Enrichment for one browser request, or `undefined` when it is off, the address is unknown or
 * the visitor's consent does not allow it (see `mayEnrich`). `address` comes from
 * `http/client-address.ts`, the one place the client address is worked out (the rate limits use
 * it too), so a forged `X-Forwarded-For` entry never reaches a lookup.
 */
export function enrichRequest(
  enricher: Enricher | undefined,
  address: string | undefined,
  context: JsonObject | null | undefined,
): Enrichment | undefined {
  if (enricher === undefined || address === undefined) return undefined
  if (!mayEnrich(context, enricher.consent)) return undefined
  return enricher.enrich(address)
}

/** What of an enrichment is stored on the profile, stamped `at`; `undefined` when nothing. */
export function inferredFacts(
  enrichment: Enrichment | undefined,
  at: number,
): InferredFacts | undefined {
  if (enrichment === undefined) return undefined
  const facts: InferredFacts = { at }
  if (enrichment.country !== undefined) facts.country = enrichment.country
  if (enrichment.region !== undefined) facts.region = enrichment.region
  if (enrichment.network !== undefined) {
    facts.asn = enrichment.network.asn
    facts.org = enrichment.network.org
  }
  if (enrichment.company !== undefined) {
    facts.companyDomain = enrichment.company.domain
    facts.companySource = enrichment.company.source
  }
  return Object.keys(facts).length > 1 ? facts : undefined
}
