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
  // Answers are `Cache-Control: no-store` JSON: an ETag (a hash of every body) buys nothing.
  app.disable('etag')
  app.set('trust proxy', deps.config.trustProxy)
  app.use(securityHeaders)
  app.use(cookieParser(deps.config.cookieSecrets))

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
