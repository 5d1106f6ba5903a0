import { Router } from 'express'
import type { AppDeps } from '../app-deps.ts'
import { AppError } from '../errors/app-error.ts'
import { requireAdminToken } from '../http/credentials.ts'
import { goalReport } from '../measurement/experience-report.ts'
import type { Personalizer } from '../personalization/personalizer.ts'

/**
 * `GET /v1/admin/experiences/:id/report` (admin token): per goal of the experience, visitors,
 * conversions and conversion rate of the control and each variation, lift over control and the
 * two-sided p-value. Counts come from the store, so every process and restart agrees.
 */
export function reportRoutes(deps: AppDeps & { personalization: Personalizer }): Router {
  const router = Router()
  router.get(
    '/v1/admin/experiences/:id/report',
    requireAdminToken(deps.config.adminToken),
    async (req, res) => {
      const id = typeof req.params.id === 'string' ? req.params.id : ''
      const config = deps.personalization.engine.config
      const experience = config.experiencesById.get(id)
      if (experience === undefined) {
        throw new AppError(
          'experience_not_found',
          `No experience "${id}" in the personalisation config in force`,
          { path: 'params.id' },
        )
      }
      const variationIds = experience.variations.map((variation) => variation.id)
      const { visitors, goals } = await deps.store.read(async (reader) => {
        const reports = []
        for (const goal of experience.goals) {
          const counts = await reader.experienceCounts(id, goal, config.attributionWindowMs)
          reports.push(goalReport(goal, counts, variationIds))
        }
        // Exposure alone (no goal matches the empty name), so an experience without goals still
        // shows who saw what.
        const exposure = goalReport('', await reader.experienceCounts(id, '', 0), variationIds)
        const shown: Record<string, number> = { control: exposure.control.visitors }
        for (const arm of exposure.variations) shown[arm.variation] = arm.visitors
        return { visitors: shown, goals: reports }
      })
      res.json({
        experience: id,
        holdout: experience.holdout,
        attributionWindowDays: config.attributionWindowMs / 86_400_000,
        visitors,
        goals,
      })
    },
  )
  return router
}
