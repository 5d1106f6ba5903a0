import { Router } from 'express'
import { z } from 'zod'
import type { AppDeps } from '../app-deps.ts'
import { limits } from '../contract/limits.ts'
import { maxIdLength } from '../identity/junk-ids.ts'
import { parseWith } from '../contract/parse-with.ts'
import { requireAdminToken } from '../http/credentials.ts'
import { jsonBody } from '../http/json-body.ts'
import { eraseProfile } from '../privacy/erase-profile.ts'
import { exportProfile } from '../privacy/export-profile.ts'
import {
  suppressionKey,
  suppressionsOf,
  type SuppressionKind,
} from '../privacy/suppression-keys.ts'
import { findProfileId } from '../store/profile-neighbourhood.ts'
import { profileKeyOf, readNamedProfile, readProfileQuery } from './profile-query.ts'

const id = z.string().min(1).max(maxIdLength)
/** The identifiers of a suppression request (body or query): at least one. */
export const identifiers = z
  .object({ userId: id.optional(), anonymousId: id.optional(), email: id.optional() })
  .refine((ids) => Object.values(ids).some((value) => value !== undefined), {
    message: 'give at least one of userId, anonymousId, email',
    path: ['userId'],
  })

/**
 * Privacy requests, behind the admin token: export everything held on one person, delete it
 * (which also suppresses its identifiers), and suppress or un-suppress identifiers directly.
 */
export function privacyRoutes(deps: AppDeps): Router {
  const router = Router()
  router.use('/v1/admin', requireAdminToken(deps.config.adminToken))

  router.get('/v1/admin/profiles/export', async (req, res) => {
    res.json(
      await readNamedProfile(deps.store, req.query, (reader, profileId) =>
        exportProfile(reader, profileId, deps.clock()),
      ),
    )
  })

  // A delete is idempotent and succeeds for an unknown person too: their identifiers are still
  // suppressed, so nothing about them is recorded from now on.
  router.delete('/v1/admin/profiles', async (req, res) => {
    const query = readProfileQuery(req.query)
    const at = deps.clock()
    const deleted = await deps.store.transaction(async (tx) => {
      const profileId = await findProfileId(tx, profileKeyOf(query))
      const erased = profileId === undefined ? undefined : await eraseProfile(tx, profileId, at)
      await tx.suppress(suppressionsOf(asIdentifiers(query), 'deleted', at))
      return erased ?? null
    })
    res.json({ deleted })
  })

  router.post('/v1/admin/suppressions', ...jsonBody(limits.callBytes), async (req, res) => {
    const ids = parseWith(identifiers, req.body, '')
    const at = deps.clock()
    await deps.store.transaction((tx) =>
      tx.suppress(suppressionsOf(asIdentifiers(ids), 'requested', at)),
    )
    res.json({ suppressed: kindsOf(ids) })
  })

  router.get('/v1/admin/suppressions', async (req, res) => {
    const ids = parseWith(identifiers, req.query, 'query')
    const keys = keysOf(ids)
    const hits = new Set(
      await deps.store.read((reader) => reader.suppressedKeys(keys.map((k) => k.key))),
    )
    res.json({
      suppressed: Object.fromEntries(keys.map(({ kind, key }) => [kind, hits.has(key)])),
    })
  })

  router.delete('/v1/admin/suppressions', async (req, res) => {
    const ids = parseWith(identifiers, req.query, 'query')
    const lifted = await deps.store.transaction((tx) =>
      tx.unsuppress(keysOf(ids).map(({ key }) => key)),
    )
    res.json({ lifted })
  })
  return router
}

type Identifiers = { [K in SuppressionKind]?: string | undefined }

function asIdentifiers(ids: Identifiers): Partial<Record<SuppressionKind, string[]>> {
  return Object.fromEntries(kindsOf(ids).map((kind) => [kind, [ids[kind] ?? '']]))
}

function kindsOf(ids: Identifiers): SuppressionKind[] {
  return (['userId', 'anonymousId', 'email'] as const).filter((kind) => ids[kind] !== undefined)
}

function keysOf(ids: Identifiers): { kind: SuppressionKind; key: string }[] {
  return kindsOf(ids).map((kind) => ({ kind, key: suppressionKey(kind, ids[kind] ?? '') }))
}
