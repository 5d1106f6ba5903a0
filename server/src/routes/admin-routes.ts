import type { AppDeps } from '../app-deps.ts'
import { requireAdminToken } from '../http/credentials.ts'
import { chain } from '../http/handler-chain.ts'
import type { RouteTarget } from '../http/hot-routes.ts'
import { readProfileView } from '../profile/profile-view.ts'
import { readNamedProfile } from './profile-query.ts'

/**
 * `GET /v1/admin/profiles/lookup`, behind the bearer admin token: a support tool's hot path,
 * registered as a hot route (`router`, see hot-routes.ts).
 */
export function adminRoutes(router: RouteTarget, deps: AppDeps): void {
  router.get(
    '/v1/admin/profiles/lookup',
    chain(requireAdminToken(deps.config.adminToken), async (req, res) => {
      res.json({ profile: await readNamedProfile(deps.store, req.query, readProfileView) })
    }),
  )
}
