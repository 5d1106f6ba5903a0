import type { AppDeps } from '../app-deps.ts'
import { requireAdminToken } from '../http/credentials.ts'
import { chain } from '../http/handler-chain.ts'
import type { RouteTarget } from '../http/hot-routes.ts'
import { profileView } from '../profile/profile-view.ts'
import { profileKeyOf, profileNotFound, readProfileQuery } from './profile-query.ts'

/**
 * `GET /v1/admin/profiles/lookup`, behind the bearer admin token: a support tool's hot path,
 * registered as a hot route (`router`, see hot-routes.ts).
 */
export function adminRoutes(router: RouteTarget, deps: AppDeps): void {
  router.get(
    '/v1/admin/profiles/lookup',
    chain(requireAdminToken(deps.config.adminToken), async (req, res) => {
      const query = readProfileQuery(req.query)
      const found = await deps.store.readNeighbourhood(profileKeyOf(query))
      if (found === undefined) throw profileNotFound(query)
      res.json({ profile: profileView(found) })
    }),
  )
}
