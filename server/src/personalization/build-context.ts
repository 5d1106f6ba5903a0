import { deriveNames } from '../profile/derive-names.ts'
import type { Account, Profile } from '../profile/profile.ts'
import type { PageInfo } from '../pipeline/ingest-event.ts'
import { isSafeKey, type JsonObject } from '../traits/json.ts'
import { materializeTraits, type TraitNode } from '../traits/trait-tree.ts'
import type { Enrichment } from '../enrichment/enrichment.ts'
import { companyView } from '../enrichment/inferred-company.ts'
import type { EvalContext } from './attributes.ts'
import { deviceType } from './device-type.ts'

/** The request facts the context is built from. */
export interface ContextInput {
  profile: Profile | undefined
  account: Account | undefined
  page: PageInfo
  userAgent: string | undefined
  now: number
  /** What the request's address told, when enrichment is on and the visitor consented. */
  enrichment?: Enrichment
  /** Provider traits already known for a company domain (never waits for the provider). */
  firmographics?: (domain: string) => JsonObject | undefined
}

const day = 86_400_000

// Materialising a trait tree walks it; a cached profile keeps its tree object, so the plain
// traits are worked out once per cached version.
const materialized = new WeakMap<TraitNode, JsonObject>()

function plainTraits(tree: TraitNode, derive: boolean): JsonObject {
  let traits = materialized.get(tree)
  if (traits === undefined) {
    traits = materializeTraits(tree)
    if (derive) traits = deriveNames(traits)
    materialized.set(tree, traits)
  }
  return traits
}

/** Builds what rules and templates read for one request. */
export function buildContext(input: ContextInput): EvalContext {
  const { profile, account, now } = input
  const stats = profile?.visitor
  const declared = account === undefined ? undefined : plainTraits(account.traits, false)
  const enrichment = input.enrichment
  const company =
    enrichment === undefined
      ? {
          traits: declared ?? {},
          source: declared === undefined ? undefined : ('declared' as const),
        }
      : companyView(declared, enrichment.company, input.firmographics)
  const ctx: EvalContext = {
    user: profile === undefined ? {} : plainTraits(profile.traits, true),
    company: company.traits,
    visitor: {
      known: profile?.userId != null,
      pageViews: stats?.pageViews ?? 0,
      sessions: stats?.sessions ?? 0,
      events: stats?.events ?? 0,
      conversions: stats?.conversions ?? 0,
      firstSeen: new Date(stats?.firstSeenAt ?? now).toISOString(),
      lastSeen: new Date(stats?.lastSeenAt ?? now).toISOString(),
      daysSinceFirstSeen: Math.floor((now - (stats?.firstSeenAt ?? now)) / day),
      daysSinceLastSeen: Math.floor((now - (stats?.lastSeenAt ?? now)) / day),
      visitedPaths: stats?.visitedPaths?.map((visited) => visited.path) ?? [],
    },
    page: pageContext(input.page),
    device: { type: deviceType(input.userAgent) },
  }
  if (company.source !== undefined) ctx.visitor.companySource = company.source
  if (enrichment?.country !== undefined) ctx.visitor.country = enrichment.country
  if (enrichment?.region !== undefined) ctx.visitor.region = enrichment.region
  if (enrichment?.network !== undefined) ctx.visitor.network = enrichment.network
  return ctx
}

function pageContext(page: PageInfo): EvalContext['page'] {
  let parsed: URL | undefined
  try {
    parsed = page.url === undefined ? undefined : new URL(page.url)
  } catch {
    parsed = undefined
  }
  const query: Record<string, string> = {}
  const search = parsed?.searchParams ?? new URLSearchParams(page.search ?? '')
  for (const [key, value] of search) {
    if (isSafeKey(key) && !Object.hasOwn(query, key)) query[key] = value
  }
  const out: EvalContext['page'] = { query, utm: { ...page.utm } }
  const path = page.path ?? parsed?.pathname
  if (page.url !== undefined) out.url = page.url
  if (path !== undefined) out.path = path
  if (parsed !== undefined) out.host = parsed.hostname
  if (page.referrer !== undefined) out.referrer = page.referrer
  if (page.title !== undefined) out.title = page.title
  return out
}
