import { Router } from 'express'
import { requireBearer } from '../http/credentials.ts'
import type { Metrics } from '../observability/metrics.ts'

/**
 * `GET /metrics` in Prometheus text format, behind `Authorization: Bearer <token>`: the metrics
 * token when one is set (`PARLEY_METRICS_TOKEN`, so the scraper never holds admin rights), else
 * the admin token. Counts and timings only; no visitor data.
 */
export function metricsRoutes(metrics: Metrics, token: string): Router {
  const router = Router()
  router.get(
    '/metrics',
    requireBearer(
      token,
      'invalid_metrics_token',
      'Scrape /metrics with Authorization: Bearer <token>',
    ),
    async (_req, res) => {
      res.type(metrics.registry.contentType).send(await metrics.registry.metrics())
    },
  )
  return router
}
