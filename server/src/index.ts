import { randomUUID } from 'node:crypto'
import type { Server } from 'node:http'
import { createApp } from './app.ts'
import { ConfigError, loadConfig } from './config/env.ts'
import { createLogger } from './config/logger.ts'
import { openStore, redactDatabaseUrl } from './store/open-store.ts'

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
  const logger = createLogger(config.logLevel)
  if (config.demoDefaults.length > 0) {
    logger.warn(
      { variables: config.demoDefaults },
      'using demo credentials for unset variables; set them before exposing this container',
    )
  }
  let store
  try {
    store = await openStore(config, (error, where) => {
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
  const app = createApp({ config, store, logger, clock: Date.now, newId: randomUUID })

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
      { port, store: store.engine, database: redactDatabaseUrl(config.databaseUrl) },
      `parley listening on port ${port}`,
    )
  })

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down: no new connections, finishing in-flight requests')
    clearInterval(pruneTimer)
    const force = setTimeout(() => {
      logger.error('in-flight requests did not finish within 10 s; exiting')
      process.exit(1)
    }, 10_000)
    force.unref()
    server.close(() => {
      store
        .close()
        .then(() => process.exit(0))
        .catch((error: unknown) => {
          logger.error({ err: error }, 'closing the store failed')
          process.exit(1)
        })
    })
    server.closeIdleConnections()
  }
  process.once('SIGTERM', () => shutdown('SIGTERM'))
  process.once('SIGINT', () => shutdown('SIGINT'))
}

await main()
