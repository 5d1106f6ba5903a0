import { Router } from 'express'
import type { AppDeps } from '../app-deps.ts'
import { AppError } from '../errors/app-error.ts'

/** `/healthz`: the process serves. `/readyz`: and its store answers, so it may take traffic. */
export function healthRoutes(deps: AppDeps): Router {
  const router = Router()
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' })
  })
  router.get('/readyz', async (_req, res) => {
    try {
      await deps.store.ping()
    } catch (error) {
      throw new AppError('store_unavailable', `The ${deps.store.engine} store does not answer`, {
        cause: error,
      })
    }
    res.json({ status: 'ready', store: deps.store.engine })
  })
  return router
}
