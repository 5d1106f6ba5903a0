import { randomUUID } from 'node:crypto'
import type { Server } from 'node:http'
import { createApp } from './app.ts'
import { createAppServer } from './http/app-server.ts'
import { ConfigError, loadConfig, type Config } from './config/env.ts'
import { LiveConfig } from './config-versions/live-config.ts'
import type { Logger } from './config/logger.ts'
import type { Store } from './store/store.ts'
import { CachedStore } from './cache/cached-store.ts'
import { chooseLogFormat, createLogger } from './config/logger.ts'
import { openEnricher } from './enrichment/open-enricher.ts'
import { createMetrics, recordCacheLookup } from './observability/metrics.ts'
import { PersonalizationEngine } from './personalization/engine.ts'
import {
  PersonalizationConfigError,
  readPersonalizationConfig,
} from './personalization/load-config.ts'
import { Personalizer } from './personalization/personalizer.ts'
import { watchPersonalizationConfig, type ConfigWatch } from './personalization/watch-config.ts'
import { installGracefulShutdown } from './process/graceful-shutdown.ts'
import { openStore, redactDatabaseUrl } from './store/open-store.ts'
import { openRateLimitStore } from './http/open-rate-limit-store.ts'
import { logDemoConsole } from './console/demo-sign-in.ts'

/** The entry file: the only place that reads the environment, opens the store and listens. */
async function main(): Promise<void> {
  let config
  try {
    config = loadConfig(process.env)
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`parley: ${error.message}\n`)
      process.exit(1)
    }
    throw error
  }
  const logger = createLogger(config.logLevel, {
    format: chooseLogFormat(config.logFormat, process.stdout, config.env),
  })
  if (config.demoDefaults.length > 0) {
    logger.warn(
      { variables: config.demoDefaults },
      'using demo credentials for unset variables; set them before exposing this container',
    )
  }
  const metrics = createMetrics()
  let opened
  try {
    opened = await openStore(config, (error, where) => {
      logger.warn({ err: error, where }, 'store fault outside a request')
    })
  } catch (error) {
    // Exit so the supervisor restarts the instance; it must not take traffic without a store.
    logger.error(
      { err: error, database: redactDatabaseUrl(config.databaseUrl) },
      'cannot open the store',
    )
    process.exit(1)
  }
  const store = new CachedStore(opened, {
    maxBytes: config.cacheBytes,
    onLookup: (hit) => recordCacheLookup(metrics, 'profiles', hit),
  })
  const { liveConfig, configWatch } = await openLiveConfig(config, store, logger)
  const engine = liveConfig.engine
  const personalization = new Personalizer(engine, Date.now)
  const rateLimits = await openRateLimitStore(config.databaseUrl, {
    onPruneError: (error) => logger.warn({ err: error }, 'pruning ended rate-limit windows failed'),
  })
  const enricher =
    config.enrichment === undefined
      ? undefined
      : openEnricher(config.enrichment, logger, { registry: metrics.registry })
  const app = createApp({
    config,
    store,
    logger,
    clock: Date.now,
    newId: randomUUID,
    personalization,
    liveConfig,
    metrics,
    rateLimits: rateLimits.store,
    ...(enricher === undefined ? {} : { enricher }),
  })

  const pruneTimer = setInterval(() => {
    store.pruneMessages(Date.now() - config.dedupWindowMs).catch((error: unknown) => {
      logger.warn({ err: error }, 'pruning old message ids failed')
    })
  }, 3_600_000)
  pruneTimer.unref()

  const server: Server = createAppServer(app).listen(config.port, config.host, () => {
    const address = server.address()
    const port = typeof address === 'object' && address !== null ? address.port : config.port
    logger.info(
      {
        port,
        store: store.engine,
        database: redactDatabaseUrl(config.databaseUrl),
        personalization:
          liveConfig.version === undefined
            ? config.personalizationFile
            : `store, version ${liveConfig.version.number}`,
        segments: engine.config.segments.length,
        experiences: engine.config.experiences.length,
      },
      `parley listening on port ${port}`,
    )
    logDemoConsole(logger, config, port)
  })

  installGracefulShutdown({
    server,
    closeStore: async () => {
      await rateLimits.close()
      await store.close()
    },
    logger,
    onStop: () => {
      clearInterval(pruneTimer)
      configWatch?.close()
      liveConfig.close()
      enricher?.close()
    },
    timeoutMs: config.shutdownTimeoutMs,
  })
}

/**
 * The config in force: pinned to `PARLEY_CONFIG` (`PARLEY_CONFIG_SOURCE=file`: read now, polled),
 * or versions in the store, the file seeding an empty one. A broken file, when it is read, stops
 * the start with every problem and its path.
 */
async function openLiveConfig(
  config: Config,
  store: Store,
  logger: Logger,
): Promise<{ liveConfig: LiveConfig; configWatch: ConfigWatch | undefined }> {
  const file = config.personalizationFile
  try {
    if (config.configSource === 'file') {
      const engine = new PersonalizationEngine(readPersonalizationConfig(file))
      const liveConfig = LiveConfig.pinnedToFile(engine, {
        file,
        reason: `PARLEY_CONFIG_SOURCE=file pins the config to ${file}: change the file (it is reloaded within a second), or have the operator unset PARLEY_CONFIG_SOURCE to edit it here.`,
      })
      return { liveConfig, configWatch: watchPersonalizationConfig(file, engine, logger) }
    }
    const liveConfig = await LiveConfig.fromStore({
      store,
      logger,
      clock: Date.now,
      seed: () => ({ document: readPersonalizationConfig(file), source: file }),
    })
    return { liveConfig, configWatch: undefined }
  } catch (error) {
    if (error instanceof PersonalizationConfigError) {
      process.stderr.write(`parley: ${error.message}\n`)
      process.exit(1)
    }
    throw error
  }
}

await main()
