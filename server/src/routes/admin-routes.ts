import { Router } from 'express'
import type { AppDeps } from '../app-deps.ts'
import { requireAdminToken } from '../http/credentials.ts'
import { readProfileView } from '../profile/profile-view.ts'
import { readNamedProfile } from './profile-query.ts'

/** Admin endpoints, behind the bearer admin token. */
export function adminRoutes(deps: AppDeps): Router {
  const router = Router()
  router.use('/v1/admin', requireAdminToken(deps.config.adminToken))

  router.get('/v1/admin/profiles/lookup', async (req, res) => {
    res.json({ profile: await readNamedProfile(deps.store, req.query, readProfileView) })
  })
  return router
}
