import { randomUUID } from 'node:crypto'
import type { Server } from 'node:http'
import { createApp } from './app.ts'
import { ConfigError, loadConfig } from './config/env.ts'
import { createLogger } from './config/logger.ts'
import { installGracefulShutdown } from './process/graceful-shutdown.ts'
import { openStore } from './store/open-store.ts'

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
  const store = openStore(config)
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
      { port, store: store.engine, database: config.databaseUrl },
      `parley listening on port ${port}`,
    )
  })

  installGracefulShutdown({
    server,
    closeStore: () => store.close(),
    logger,
    onStop: () => clearInterval(pruneTimer),
    timeoutMs: config.shutdownTimeoutMs,
  })
}

await main()
