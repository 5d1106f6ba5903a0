import { randomUUID } from 'node:crypto'
import type { Server } from 'node:http'
import { createApp } from './app.ts'
import { ConfigError, loadConfig } from './config/env.ts'
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
import { watchPersonalizationConfig } from './personalization/watch-config.ts'
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
  let engine
  try {
    engine = new PersonalizationEngine(readPersonalizationConfig(config.personalizationFile))
  } catch (error) {
    if (error instanceof PersonalizationConfigError) {
      process.stderr.write(`parley: ${error.message}\n`)
      process.exit(1)
    }
    throw error
  }
  const configWatch = watchPersonalizationConfig(config.personalizationFile, engine, logger)
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

  const server: Server = app.listen(config.port, config.host, () => {
    const address = server.address()
    const port = typeof address === 'object' && address !== null ? address.port : config.port
    logger.info(
      {
        port,
        store: store.engine,
        database: redactDatabaseUrl(config.databaseUrl),
        personalization: config.personalizationFile,
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
      configWatch.close()
      enricher?.close()
    },
    timeoutMs: config.shutdownTimeoutMs,
  })
}

await main()
