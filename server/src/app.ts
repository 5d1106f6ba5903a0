import cookieParser from 'cookie-parser'
import express, { type Express } from 'express'
import type { AppDeps } from './app-deps.ts'
import { errorHandler, notFound } from './http/error-handler.ts'
import { securityHeaders } from './http/security-headers.ts'
import { adminRoutes } from './routes/admin-routes.ts'
import { browserRoutes } from './routes/browser-routes.ts'
import { healthRoutes } from './routes/health-routes.ts'
import { segmentRoutes } from './routes/segment-routes.ts'

export type { AppDeps } from './app-deps.ts'

/**
 * Builds the container's Express app from its dependencies. It never listens: the entry file
 * does, and tests hand the app to supertest.
 */
export function createApp(deps: AppDeps): Express {
  const app = express()
  app.disable('x-powered-by')
  // API answers are per-visitor and never revalidated; hashing every body for an ETag is waste.
  app.set('etag', false)
  app.set('trust proxy', deps.config.trustProxy)
  app.use(securityHeaders)

  app.use(healthRoutes(deps))
  // Only the browser endpoints read the anonymous-id cookie.
  app.use('/v1/web', cookieParser(deps.config.cookieSecrets))
  app.use(browserRoutes(deps))
  app.use(segmentRoutes(deps))
  app.use(adminRoutes(deps))

  app.use(notFound)
  app.use(errorHandler(deps.logger))
  return app
}
