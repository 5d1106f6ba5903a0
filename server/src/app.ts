import cookieParser from 'cookie-parser'
import express, { type Express } from 'express'
import type { AppDeps } from './app-deps.ts'
import { errorHandler, notFound } from './http/error-handler.ts'
import { securityHeaders } from './http/security-headers.ts'
import { adminRoutes } from './routes/admin-routes.ts'
import { browserRoutes } from './routes/browser-routes.ts'
import { PersonalizationEngine } from './personalization/engine.ts'
import { Personalizer } from './personalization/personalizer.ts'
import { healthRoutes } from './routes/health-routes.ts'
import { personalizeRoutes } from './routes/personalize-routes.ts'
import { reportRoutes } from './routes/report-routes.ts'
import { segmentRoutes } from './routes/segment-routes.ts'

export type { AppDeps } from './app-deps.ts'

/**
 * Builds the container's Express app from its dependencies. It never listens: the entry file
 * does, and tests hand the app to supertest.
 */
export function createApp(appDeps: AppDeps): Express {
  const deps = {
    ...appDeps,
    personalization:
      appDeps.personalization ?? new Personalizer(PersonalizationEngine.empty(), appDeps.clock),
  }
  const app = express()
  app.disable('x-powered-by')
  // API answers are per-visitor and never revalidated; hashing every body for an ETag is waste.
  app.set('etag', false)
  app.set('trust proxy', deps.config.trustProxy)
  app.use(securityHeaders)

  // Only the browser endpoints (and personalize, which browsers call too) read the cookie.
  app.use(['/v1/web', '/v1/personalize'], cookieParser(deps.config.cookieSecrets))
  // The hot path first, so its requests skip matching every other route.
  app.use(personalizeRoutes(deps))
  app.use(healthRoutes(deps))
  app.use(browserRoutes(deps))
  app.use(segmentRoutes(deps))
  app.use(adminRoutes(deps))
  app.use(reportRoutes(deps))

  app.use(notFound)
  app.use(errorHandler(deps.logger))
  return app
}
