import { Router } from 'express'
import { browserIdentifySchema, type CallType } from '../contract/event-schemas.ts'
import { limits } from '../contract/limits.ts'
import { readCall } from '../contract/read-call.ts'
import { pageInfo } from '../contract/to-ingest-event.ts'
import { enrichRequest, inferredFacts } from '../enrichment/request-enrichment.ts'
import { readAnonymousCookie, writeAnonymousCookie } from '../http/anonymous-cookie.ts'
import { visitorRateLimit } from '../http/browser-guard.ts'
import { jsonBody } from '../http/json-body.ts'
import { checkUserHash } from '../identity/check-verification.ts'
import type { IngestEvent } from '../pipeline/ingest-event.ts'
import { ingest } from '../pipeline/ingest.ts'
import { withWarnings } from '../pipeline/warnings.ts'
import { personalizeFor, type PersonalizeDeps } from './personalize-routes.ts'

const browserTypes: readonly Exclude<CallType, 'alias'>[] = ['identify', 'page', 'track', 'group']
/** Calls whose answer carries the personalisation payload (track is fire-and-forget). */
const payloadTypes: readonly CallType[] = ['identify', 'page', 'group']

/**
 * Endpoints for the browser client (`/v1/web/identify|page|track|group`). No write key: they are
 * served on the site's own domain. The device is known by the body's anonymous id, else the
 * signed cookie, else a new one; every answer (re)sets the cookie and returns the ids to use.
 * Identify, page and group answers also carry the payload (`segments`, `experiences`) for the
 * profile as it is after the call, so the page can personalise right after a login.
 */
export function browserRoutes(deps: PersonalizeDeps): Router {
  const router = Router()
  const verification = {
    mode: deps.config.identityVerification,
    secret: deps.config.identitySecret,
  }

  const perVisitor = visitorRateLimit(deps)

  for (const type of browserTypes) {
    router.post(`/v1/web/${type}`, ...jsonBody(limits.callBytes), perVisitor, async (req, res) => {
      const { call, event } = readCall(
        type,
        req.body,
        {
          channel: 'browser',
          source: 'browser',
          receivedAt: deps.clock(),
          path: '',
          fallbackAnonymousId: readAnonymousCookie(req) ?? deps.newId(),
        },
        type === 'identify' ? browserIdentifySchema : undefined,
      )
      let verified = false
      if (type === 'identify') {
        const hash = (call as { userHash?: string }).userHash
        verified = checkUserHash(verification, event.userId, hash)
      } else {
        // Only identify may claim a user id from a browser; other calls follow the device's link.
        event.userId = undefined
      }
      if (verification.mode === 'required' && !verified) dropCompanyTraits(event)
      const enrichment = enrichRequest(deps.enricher, req, call.context)
      const inferred = inferredFacts(enrichment, event.receivedAt)
      if (inferred !== undefined) event.inferred = inferred

      const result = await ingest(event, deps)
      const anonymousId = result.anonymousId ?? event.anonymousId
      if (anonymousId !== undefined)
        writeAnonymousCookie(req, res, anonymousId, deps.config.cookieDomain)
      const payload = payloadTypes.includes(type)
        ? await personalizeFor(
            deps,
            result.profileId,
            event.page ?? pageInfo({}, call.context ?? {}),
            req,
            call.context ?? undefined,
            enrichment,
          )
        : undefined
      res.json(
        withWarnings(
          {
            anonymousId,
            userId: result.userId,
            ...(result.rotated ? { rotated: true } : {}),
            ...(payload === undefined
              ? {}
              : { segments: payload.segments, experiences: payload.experiences }),
          },
          result.warnings,
        ),
      )
    })
  }
  return router
}

/**
 * With verification required, an unverified browser call may not write to a company account that
 * other users share.
 */
function dropCompanyTraits(event: IngestEvent): void {
  if (event.company === undefined) return
  event.company = undefined
  event.warnings.push({
    code: 'company_requires_verification',
    message: 'Company traits from the browser need a verified identify; they were dropped',
    path: event.type === 'group' ? 'groupId' : 'traits.company',
  })
}
