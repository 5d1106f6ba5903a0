import { extname } from 'node:path'
import type { Logger } from '../config/logger.ts'
import { asnCsvFiles, readAsnCsvFolder, type NetworkLookup } from './asn-database.ts'
import { readCompanyRanges } from './company-ranges.ts'
import { Enricher, type EnricherSources } from './enricher.ts'
import type { EnrichmentConfig } from './enrichment-config.ts'
import type { InferredCompany } from './enrichment.ts'
import { geoLookup, mmdbNetworkLookup, openMmdb, type GeoLookup } from './geo-database.ts'
import { parseIp } from './ip-address.ts'
import { PdlProvider } from './pdl-provider.ts'
import type { PrefixTable } from './prefix-table.ts'
import { ProviderGate } from './provider-gate.ts'
import { reloadingSource, type ReloadingSource } from './reloading-source.ts'
import type { Registry } from 'prom-client'
import type { JsonObject } from '../traits/json.ts'
import { enrichmentMetrics } from './enrichment-metrics.ts'
import { join } from 'node:path'

/**
 * Builds the enricher from its settings: loads each data file (a missing or broken one is logged
 * and that source stays empty: the container still starts and serves), watches them for changes,
 * and puts the provider, if any, behind its gates.
 */
export function openEnricher(
  config: EnrichmentConfig,
  logger: Logger,
  options: { clock?: () => number; registry?: Registry } = {},
): Enricher {
  const clock = options.clock ?? Date.now
  const metrics = options.registry === undefined ? undefined : enrichmentMetrics(options.registry)
  const watches: ReloadingSource<unknown>[] = []
  const watch = <T>(
    name: string,
    files: readonly string[],
    load: () => T,
  ): (() => T | undefined) => {
    const source = reloadingSource({ name, files, load, logger, intervalMs: config.reloadMs })
    watches.push(source)
    metrics?.source(name, () => source.current !== undefined)
    return () => source.current
  }
  const sources: EnricherSources = {
    close: () => watches.forEach((source) => source.close()),
    consent: config.consent,
  }
  if (config.geoDb !== undefined) {
    const file = config.geoDb
    sources.geo = watch<GeoLookup>('geo', [file], () => geoLookup(openMmdb(file)))
  }
  if (config.asnDb !== undefined) {
    const place = config.asnDb
    sources.network =
      extname(place) === '.mmdb'
        ? watch<NetworkLookup>('network', [place], () => mmdbNetworkLookup(openMmdb(place)))
        : watch<NetworkLookup>(
            'network',
            asnCsvFiles.map((name) => join(place, name)),
            () => {
              const table = readAsnCsvFolder(place)
              return (ip) => table.get(ip)
            },
          )
  }
  if (config.companyRanges !== undefined) {
    const file = config.companyRanges
    sources.ranges = watch<PrefixTable<InferredCompany>>('company ranges', [file], () =>
      readCompanyRanges(file),
    )
  }
  if (config.localAddress !== undefined) {
    const local = parseIp(config.localAddress)
    if (local !== undefined) sources.localAddress = local
  }
  if (config.provider !== undefined) {
    const settings = config.provider
    const provider = new PdlProvider({
      apiKey: settings.apiKey,
      ...(settings.baseUrl === undefined ? {} : { baseUrl: settings.baseUrl }),
    })
    const gate = { timeoutMs: settings.timeoutMs, ttlMs: settings.cacheMs, clock }
    const onFailure = (what: string) => (error: unknown) => {
      metrics?.providerFailures.inc({ lookup: what })
      logger.warn(
        { provider: provider.name, lookup: what, err: error },
        'enrichment provider call failed',
      )
    }
    const byIp = new ProviderGate<InferredCompany>({
      ...gate,
      lookup: (ip, signal) => provider.companyByIp(ip, signal),
      onFailure: onFailure('ip'),
    })
    const byDomain = new ProviderGate<JsonObject>({
      ...gate,
      lookup: (domain, signal) => provider.companyByDomain(domain, signal),
      onFailure: onFailure('domain'),
    })
    metrics?.circuit('ip', () => byIp.state === 'open')
    metrics?.circuit('domain', () => byDomain.state === 'open')
    sources.provider = { byIp, byDomain }
  }
  if (config.demo) {
    logger.info(
      { companyRanges: config.companyRanges, localAddress: config.localAddress },
      'enrichment on with the demo settings (demo config): local requests are looked up as the demo address',
    )
  }
  return new Enricher(sources)
}
