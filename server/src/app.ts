import express, { type Express } from 'express'
import type { AppDeps } from './app-deps.ts'
import { consoleRoutes } from './console/console-routes.ts'
import { browserEdge, browserPaths } from './http/browser-guard.ts'
import { errorHandler, notFound } from './http/error-handler.ts'
import { HotRoutes } from './http/hot-routes.ts'
import { jsonAnswer } from './http/json-answer.ts'
import { MemoryRateLimitStore } from './http/rate-limit-store.ts'
import { securityHeaders } from './http/security-headers.ts'
import { instrumentStore } from './observability/instrument-store.ts'
import { createMetrics } from './observability/metrics.ts'
import { countWarnings, requestObserver } from './observability/request-observer.ts'
import { PersonalizationEngine } from './personalization/engine.ts'
import { Personalizer } from './personalization/personalizer.ts'
import { LiveConfig } from './config-versions/live-config.ts'
import { adminRoutes } from './routes/admin-routes.ts'
import { browserRoutes } from './routes/browser-routes.ts'
import { clientRoutes } from './routes/client-routes.ts'
import { demoRoutes } from './routes/demo-routes.ts'
import { healthRoutes } from './routes/health-routes.ts'
import { metricsRoutes } from './routes/metrics-routes.ts'
import { openApiRoutes } from './routes/openapi-routes.ts'
import { personalizeRoutes } from './routes/personalize-routes.ts'
import { privacyRoutes } from './routes/privacy-routes.ts'
import { reportRoutes } from './routes/report-routes.ts'
import { segmentRoutes } from './routes/segment-routes.ts'

export type { AppDeps } from './app-deps.ts'

/**
 * Builds the container's Express app from its dependencies. It never listens: the entry file
 * does, and tests hand the app to supertest.
 */
export function createApp(given: AppDeps): Express {
  const metrics = given.metrics ?? createMetrics()
  const personalization =
    given.personalization ??
    new Personalizer(given.liveConfig?.engine ?? PersonalizationEngine.empty(), given.clock)
  const deps = {
    ...given,
    metrics,
    rateLimits: given.rateLimits ?? new MemoryRateLimitStore(),
    store: instrumentStore(given.store, metrics),
    personalization,
    liveConfig:
      given.liveConfig ??
      LiveConfig.pinnedToFile(personalization.engine, {
        file: given.config.personalizationFile,
        reason:
          'This container was built with its personalisation config given directly, not from the config store.',
      }),
  }
  const app = express()
  app.disable('x-powered-by')
  // API answers are per-visitor and never revalidated; hashing every body for an ETag is waste.
  app.set('etag', false)
  app.set('trust proxy', deps.config.trustProxy)
  app.response.json = jsonAnswer((body) => countWarnings(metrics, body))
  // The hot paths (personalize, the tracking calls, the profile lookup) first, each with the
  // edge as one chain ahead of Express's router (see hot-routes.ts).
  const hot = new HotRoutes()
  personalizeRoutes(hot, deps)
  segmentRoutes(hot, deps)
  browserRoutes(hot, deps)
  adminRoutes(hot, deps)
  hot.mount(app, {
    // Every request's own edge.
    steps: [requestObserver(deps.logger, metrics), securityHeaders],
    // The browser endpoints' guards (origin, rate limit per visitor) run before any body is read.
    scopes: [{ paths: browserPaths, steps: browserEdge(deps) }],
  })
  app.use(healthRoutes(deps))
  app.use(metricsRoutes(metrics, deps.config.metricsToken ?? deps.config.adminToken))
  app.use(reportRoutes(deps))
  app.use(privacyRoutes(deps))
  app.use(clientRoutes())
  app.use(consoleRoutes(deps))
  app.use(openApiRoutes({ production: deps.config.env === 'production' }))
  if (deps.config.env !== 'production') app.use(demoRoutes())

  app.use(notFound)
  app.use(errorHandler(deps.logger))
  return app
}
