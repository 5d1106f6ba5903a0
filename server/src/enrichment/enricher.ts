import { createHmac, randomBytes } from 'node:crypto'
import type { JsonObject } from '../traits/json.ts'
import type { NetworkLookup } from './asn-database.ts'
import type { Enrichment, InferredCompany } from './enrichment.ts'
import { noEnrichment } from './enrichment.ts'
import type { GeoLookup } from './geo-database.ts'
import { formatIp, isReservedIp, parseIp, type IpAddress } from './ip-address.ts'
import type { PrefixTable } from './prefix-table.ts'
import type { ProviderGate } from './provider-gate.ts'

/** The data an enricher reads; each getter answers the source's current data, or nothing. */
export interface EnricherSources {
  geo?: () => GeoLookup | undefined
  network?: () => NetworkLookup | undefined
  ranges?: () => PrefixTable<InferredCompany> | undefined
  /** A paid service behind its gates (cache, timeout, circuit breaker). */
  provider?: { byIp: ProviderGate<InferredCompany>; byDomain: ProviderGate<JsonObject> }
  /**
   * Looked up in the public geo and network data instead of a loopback or private client
   * address, so a container on a laptop shows what a visitor from that address would see.
   * Never set in production.
   */
  localAddress?: IpAddress
  /** Closes the sources' file watches. */
  close?: () => void
  /** Which calls may be enriched (`PARLEY_ENRICHMENT_CONSENT`). Default `unless-refused`. */
  consent?: 'unless-refused' | 'required'
}

/**
 * Derives country, region, network and company from a client address, synchronously and from
 * memory: lookups in local tables, plus whatever a paid provider already answered (its calls
 * run in the background). The address is used for the lookups and never kept: the provider's
 * cache is keyed by a digest under a per-process random key.
 */
export class Enricher {
  readonly #sources: EnricherSources
  readonly #digestKey = randomBytes(32)

  constructor(sources: EnricherSources) {
    this.#sources = sources
  }

  /** Which calls may be enriched: all but refused ones, or only those with consent. */
  get consent(): 'unless-refused' | 'required' {
    return this.#sources.consent ?? 'unless-refused'
  }

  /** What the address tells; `{}` for no address or when no source knows it. */
  enrich(address: string | undefined): Enrichment {
    const ip = parseIp(address)
    if (ip === undefined) return noEnrichment
    const out: Enrichment = {}
    // The operator's ranges come first and cover every address, private ones included: an
    // office may reach the container through a VPN.
    const ranged = this.#sources.ranges?.()?.get(ip)
    if (ranged !== undefined) out.company = ranged
    const reserved = isReservedIp(ip)
    const local = this.#sources.localAddress
    const publicIp = reserved ? local : ip
    if (publicIp !== undefined) {
      const geo = this.#sources.geo?.()?.(publicIp)
      if (geo?.country !== undefined) out.country = geo.country
      if (geo?.region !== undefined) out.region = geo.region
      const network = this.#sources.network?.()?.(publicIp)
      if (network !== undefined) out.network = network
      const provider = this.#sources.provider
      if (out.company === undefined && provider !== undefined && !reserved) {
        const text = formatIp(publicIp)
        const found = provider.byIp.peek(this.#digest(text), text)
        if (found !== undefined) out.company = found
      }
    }
    return out
  }

  /** Firmographic traits a provider already answered for a company domain, if any. */
  companyTraits(domain: string): JsonObject | undefined {
    return this.#sources.provider?.byDomain.peek(domain)
  }

  /** Waits for the provider calls in flight (tests, shutdown). */
  async settled(): Promise<void> {
    await this.#sources.provider?.byIp.settled()
    await this.#sources.provider?.byDomain.settled()
  }

  close(): void {
    this.#sources.close?.()
  }

  #digest(text: string): string {
    return createHmac('sha256', this.#digestKey).update(text).digest('base64url')
  }
}
