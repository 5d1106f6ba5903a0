import { normalizeDomain } from '../accounts/normalize-domain.ts'
import { isJsonObject, type JsonObject } from '../traits/json.ts'
import type { CompanyProvider } from './company-provider.ts'
import type { InferredCompany } from './enrichment.ts'

/** Where and how to reach People Data Labs. */
export interface PdlOptions {
  apiKey: string
  /** Default `https://api.peopledatalabs.com` (tests point it at a local replay server). */
  baseUrl?: string
  /** Injected for tests; default the global `fetch`. */
  fetch?: typeof fetch
}

/**
 * People Data Labs, written against its public v5 documentation: the IP Enrichment API
 * (`GET /v5/ip/enrich?ip=`, company under `data.company`) and the Company Enrichment API
 * (`GET /v5/company/enrich?website=`, the profile at the top level). Authenticated with the
 * `X-Api-Key` header. `200` is a match, `404` is "no match" (not billed, cached as an answer);
 * anything else is a failure. Contract-tested against a local server replaying the documented
 * answers only: it has not been run against the real service.
 */
export class PdlProvider implements CompanyProvider {
  readonly name = 'peopledatalabs'
  readonly #apiKey: string
  readonly #baseUrl: string
  readonly #fetch: typeof fetch

  constructor(options: PdlOptions) {
    this.#apiKey = options.apiKey
    this.#baseUrl = (options.baseUrl ?? 'https://api.peopledatalabs.com').replace(/\/+$/, '')
    this.#fetch = options.fetch ?? fetch
  }

  async companyByIp(ip: string, signal: AbortSignal): Promise<InferredCompany | undefined> {
    const body = await this.#get(`/v5/ip/enrich?${new URLSearchParams({ ip }).toString()}`, signal)
    const data = body === undefined ? undefined : body.data
    const company = isJsonObject(data) ? data.company : undefined
    if (!isJsonObject(company)) return undefined
    const traits = companyTraits(company)
    const domain = typeof traits.domain === 'string' ? traits.domain : undefined
    return domain === undefined ? undefined : { domain, traits, source: 'provider' }
  }

  async companyByDomain(domain: string, signal: AbortSignal): Promise<JsonObject | undefined> {
    const body = await this.#get(
      `/v5/company/enrich?${new URLSearchParams({ website: domain }).toString()}`,
      signal,
    )
    return body === undefined ? undefined : companyTraits(body)
  }

  async #get(path: string, signal: AbortSignal): Promise<JsonObject | undefined> {
    const response = await this.#fetch(`${this.#baseUrl}${path}`, {
      headers: { 'X-Api-Key': this.#apiKey, accept: 'application/json' },
      signal,
    })
    if (response.status === 404) {
      await response.body?.cancel()
      return undefined
    }
    if (response.status !== 200) {
      await response.body?.cancel()
      throw new Error(`${this.name} answered ${response.status}`)
    }
    const body: unknown = await response.json()
    if (!isJsonObject(body)) throw new Error(`${this.name} answered a body that is not an object`)
    return body
  }
}

/** PDL's company fields in Parley's reserved company traits (SPEC section 5). */
function companyTraits(company: JsonObject): JsonObject {
  const out: JsonObject = {}
  const domain = typeof company.website === 'string' ? normalizeDomain(company.website) : undefined
  if (domain !== undefined) out.domain = domain
  const name = company.display_name ?? company.name
  if (typeof name === 'string' && name !== '') out.name = name
  if (typeof company.industry === 'string') out.industry = company.industry
  if (typeof company.employee_count === 'number' && company.employee_count >= 0) {
    out.employeeCount = Math.round(company.employee_count)
  }
  if (typeof company.size === 'string') out.size = company.size
  if (typeof company.type === 'string') out.type = company.type
  const location = company.location
  if (isJsonObject(location) && typeof location.country === 'string') out.country = location.country
  return out
}
