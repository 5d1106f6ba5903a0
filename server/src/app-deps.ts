import type { Config } from './config/env.ts'
import type { LiveConfig } from './config-versions/live-config.ts'
import type { Enricher } from './enrichment/enricher.ts'
import type { Logger } from './config/logger.ts'
import type { RateLimitStore } from './http/rate-limit-store.ts'
import type { Metrics } from './observability/metrics.ts'
import type { Personalizer } from './personalization/personalizer.ts'
import type { Store } from './store/store.ts'

/** Everything the app does I/O through, injected so tests can pass their own. */
export interface AppDeps {
  config: Config
  store: Store
  logger: Logger
  /** Wall clock in ms. Default in the entry file: `Date.now`. */
  clock: () => number
  /** Id factory for profiles, accounts and anonymous ids. Default: `crypto.randomUUID`. */
  newId: () => string
  /** Rate-limit counters. Default (filled in by `createApp`): per process, in memory. */
  rateLimits?: RateLimitStore
  /** Prometheus metrics. Default (filled in by `createApp`): a new registry with process metrics. */
  metrics?: Metrics
  /**
   * Segments, experiences and goal counting. Default when absent: an engine with no segments and
   * no experiences (payloads are empty, no event is a goal).
   */
  personalization?: Personalizer
  /**
   * The config in force and where it comes from: versions in the store, or pinned to a file.
   * Default when absent: pinned to `PARLEY_CONFIG` with the personaliser's engine (the console
   * shows it read-only and refuses every write).
   */
  liveConfig?: LiveConfig
  /**
   * Country, network and company from the request's address for browser calls and
   * personalize. Default when absent: off (no lookups, nothing derived or stored).
   */
  enricher?: Enricher
}
