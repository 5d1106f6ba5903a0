import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client'

/**
 * The container's Prometheus metrics, in a registry of their own (one per app, so tests that
 * build several apps never share counters). Names follow Prometheus conventions; the
 * operations guide lists each with the alert to set on it.
 */
export interface Metrics {
  registry: Registry
  /** Answers by method, route pattern (never the raw URL) and status. */
  httpRequests: Counter<'method' | 'route' | 'status'>
  httpDuration: Histogram<'method' | 'route'>
  /** Identity changes committed, by kind: identified, merged, alias_added, detached. */
  merges: Counter<'kind'>
  /** Warnings returned on accepted calls, by code (e.g. `suppressed`, `junk_user_id`). */
  warnings: Counter<'code'>
  /** Lookups in an in-process cache; the hit ratio is hits / all, per cache. */
  cacheLookups: Counter<'cache' | 'outcome'>
  /** Store operations that failed, by engine and error code. */
  storeErrors: Counter<'engine' | 'code'>
  /** Calls refused by a rate limit, by rule (`ip`, `anonymousId`). */
  rateLimited: Counter<'rule'>
  /** Browser calls refused because of their Origin. */
  originRefused: Counter
}

/**
 * Creates the metrics. `defaults` (default true) adds prom-client's process metrics, among
 * them event-loop lag (`nodejs_eventloop_lag_seconds` and its percentiles), heap and handles.
 */
export function createMetrics(options: { defaults?: boolean } = {}): Metrics {
  const registry = new Registry()
  if (options.defaults ?? true) collectDefaultMetrics({ register: registry, prefix: '' })
  const registers = [registry]
  return {
    registry,
    httpRequests: new Counter({
      name: 'parley_http_requests_total',
      help: 'HTTP answers by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    }),
    httpDuration: new Histogram({
      name: 'parley_http_request_duration_seconds',
      help: 'Time from request to the end of the answer, by method and route pattern',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    merges: new Counter({
      name: 'parley_identity_changes_total',
      help: 'Committed identity changes by kind (identified, merged, alias_added, detached)',
      labelNames: ['kind'],
      registers,
    }),
    warnings: new Counter({
      name: 'parley_warnings_total',
      help: 'Warnings returned on accepted calls, by code',
      labelNames: ['code'],
      registers,
    }),
    cacheLookups: new Counter({
      name: 'parley_cache_lookups_total',
      help: 'In-process cache lookups by cache and outcome (hit, miss)',
      labelNames: ['cache', 'outcome'],
      registers,
    }),
    storeErrors: new Counter({
      name: 'parley_store_errors_total',
      help: 'Failed store operations by engine and error code',
      labelNames: ['engine', 'code'],
      registers,
    }),
    rateLimited: new Counter({
      name: 'parley_rate_limited_total',
      help: 'Calls refused with 429 by rule',
      labelNames: ['rule'],
      registers,
    }),
    originRefused: new Counter({
      name: 'parley_origin_refused_total',
      help: 'Browser calls refused because their Origin is not allowed',
      registers,
    }),
  }
}

/** The hook an in-process cache calls on every lookup, so its hit ratio shows in `/metrics`. */
export function recordCacheLookup(metrics: Metrics, cache: string, hit: boolean): void {
  metrics.cacheLookups.inc({ cache, outcome: hit ? 'hit' : 'miss' })
}
