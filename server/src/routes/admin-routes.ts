import { Router } from 'express'
import { z } from 'zod'
import type { AppDeps } from '../app-deps.ts'
import { parseWith } from '../contract/parse-with.ts'
import { AppError } from '../errors/app-error.ts'
import { requireAdminToken } from '../http/credentials.ts'
import { readProfileView } from '../profile/profile-view.ts'

const lookupQuery = z
  .object({ userId: z.string().min(1).optional(), anonymousId: z.string().min(1).optional() })
  .refine((query) => query.userId !== undefined || query.anonymousId !== undefined, {
    message: 'give userId or anonymousId',
    path: ['userId'],
  })

/** Admin endpoints, behind the bearer admin token. */
export function adminRoutes(deps: AppDeps): Router {
  const router = Router()
  router.use('/v1/admin', requireAdminToken(deps.config.adminToken))

  router.get('/v1/admin/profiles/lookup', async (req, res) => {
    const query = parseWith(lookupQuery, req.query, 'query')
    const view = await deps.store.read(async (reader) => {
      const profileId =
        query.userId !== undefined
          ? await reader.profileIdByUserId(query.userId)
          : await reader.profileIdByAnonymousId(query.anonymousId ?? '')
      return profileId === undefined ? undefined : readProfileView(reader, profileId)
    })
    if (view === undefined) {
      const by = query.userId !== undefined ? 'userId' : 'anonymousId'
      throw new AppError('profile_not_found', `No profile is known by this ${by}`, {
        path: `query.${by}`,
      })
    }
    res.json({ profile: view })
  })
  return router
}
