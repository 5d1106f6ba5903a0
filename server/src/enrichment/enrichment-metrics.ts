import { Counter, Gauge, type Registry } from 'prom-client'

/** What the enrichment sources report to Prometheus. */
export interface EnrichmentMetrics {
  /** Marks a data source as loaded or not; read at each scrape. */
  source: (name: string, loaded: () => boolean) => void
  /** Marks a provider gate's circuit; read at each scrape. */
  circuit: (lookup: string, open: () => boolean) => void
  providerFailures: Counter<'lookup'>
}

/**
 * Registers the enrichment metrics on the container's registry:
 * `parley_enrichment_source_loaded{source}` (1 when the data is in memory; alert on 0),
 * `parley_enrichment_provider_circuit_open{lookup}` and
 * `parley_enrichment_provider_failures_total{lookup}`.
 */
export function enrichmentMetrics(registry: Registry): EnrichmentMetrics {
  const sources = new Map<string, () => boolean>()
  const circuits = new Map<string, () => boolean>()
  const registers = [registry]
  new Gauge({
    name: 'parley_enrichment_source_loaded',
    help: 'Enrichment data sources in memory (1) or missing after a failed load (0)',
    labelNames: ['source'],
    registers,
    collect() {
      for (const [name, loaded] of sources) this.set({ source: name }, loaded() ? 1 : 0)
    },
  })
  new Gauge({
    name: 'parley_enrichment_provider_circuit_open',
    help: 'Enrichment provider circuit breakers open (1: calls refused) or not (0)',
    labelNames: ['lookup'],
    registers,
    collect() {
      for (const [lookup, open] of circuits) this.set({ lookup }, open() ? 1 : 0)
    },
  })
  return {
    source: (name, loaded) => sources.set(name, loaded),
    circuit: (lookup, open) => circuits.set(lookup, open),
    providerFailures: new Counter({
      name: 'parley_enrichment_provider_failures_total',
      help: 'Enrichment provider calls that failed or timed out, by lookup (ip, domain)',
      labelNames: ['lookup'],
      registers,
    }),
  }
}
