import { Router } from 'express'
import type { AppDeps } from '../app-deps.ts'
import { AppError } from '../errors/app-error.ts'
import { requireAdminToken } from '../http/credentials.ts'
import { readExperienceReport } from '../measurement/read-experience-report.ts'
import type { CompiledExperience } from '../personalization/compile-config.ts'
import type { Personalizer } from '../personalization/personalizer.ts'

/**
 * `GET /v1/admin/experiences/:id/report` (admin token): per goal of the experience, per arm the
 * visitors, conversions and rate with its interval; per variation the lifts with fixed and
 * always-valid intervals, the z-test, the Bayesian chance to beat control, Holm's correction;
 * the sample-ratio check and a verdict. Counts come from the store, so every process agrees.
 */
export function reportRoutes(deps: AppDeps & { personalization: Personalizer }): Router {
  const router = Router()
  router.get(
    '/v1/admin/experiences/:id/report',
    requireAdminToken(deps.config.adminToken),
    async (req, res) => {
      const config = deps.personalization.engine.config
      const experience = findExperience(deps.personalization, req.params.id)
      res.json(
        await deps.store.read((reader) =>
          readExperienceReport(reader, experience, config.attributionWindowMs),
        ),
      )
    },
  )
  return router
}

/** The experience in force with this id, or a 404 `experience_not_found`. */
export function findExperience(personalization: Personalizer, id: unknown): CompiledExperience {
  const name = typeof id === 'string' ? id : ''
  const experience = personalization.engine.config.experiencesById.get(name)
  if (experience === undefined) {
    throw new AppError(
      'experience_not_found',
      `No experience "${name}" in the personalisation config in force`,
      { path: 'params.id' },
    )
  }
  return experience
}
