import type { Request, RequestHandler } from 'express'
import { z } from 'zod'
import type { AppDeps } from '../app-deps.ts'
import { inspectJson } from '../contract/inspect-json.ts'
import { limits } from '../contract/limits.ts'
import { parseWith } from '../contract/parse-with.ts'
import { pageInfo } from '../contract/to-ingest-event.ts'
import { readAnonymousCookie, writeAnonymousCookie } from '../http/anonymous-cookie.ts'
import type { Enrichment } from '../enrichment/enrichment.ts'
import { enrichRequest } from '../enrichment/request-enrichment.ts'
import { clientAddress } from '../http/client-address.ts'
import { chain } from '../http/handler-chain.ts'
import type { RouteTarget } from '../http/hot-routes.ts'
import { jsonBody } from '../http/json-body.ts'
import { junkIdReason } from '../identity/junk-ids.ts'
import type { ExperienceDecision } from '../personalization/evaluate.ts'
import type { Personalizer } from '../personalization/personalizer.ts'
import type { PageInfo } from '../pipeline/ingest-event.ts'
import {
  readPersonalizedVisitor,
  type PersonalizedVisitor,
} from '../profile/personalized-visitor.ts'
import { identifyEvent } from '../pipeline/identify-event.ts'
import { ingest, type IngestDeps } from '../pipeline/ingest.ts'
import { isJsonObject, type JsonObject } from '../traits/json.ts'

/** The personalisation part of a browser answer. */
export interface PayloadFields {
  segments: string[]
  experiences: ExperienceDecision[]
}

const object = z.custom<JsonObject>(isJsonObject, { message: 'expected an object' })

/** The body of `POST /v1/personalize`. */
export const personalizeSchema = z.object({
  anonymousId: z.string().max(400).nullish(),
  /** Page facts: `url`, `path`, `referrer`, `title`, `search`, as a page call's properties. */
  page: object.optional(),
  context: object.optional(),
})

/** Dependencies of the personalisation routes: the app's, with the personaliser resolved. */
export type PersonalizeDeps = AppDeps & { personalization: Personalizer }

/**
 * `POST /v1/personalize`: the payload for the visitor (body `anonymousId`, else the signed
 * cookie, else a new visitor) on the page in the body, without counting a page view. Answers
 * `{anonymousId, userId?, segments, experiences}`, and sets the cookie when it lacks this id.
 * Registered as hot routes (`router`, see hot-routes.ts): these are the hot paths.
 */
export function personalizeRoutes(router: RouteTarget, deps: PersonalizeDeps): void {
  const answer: RequestHandler = async (req, res) => {
    const inspected = inspectJson(req.body, { path: '' })
    const body = parseWith(personalizeSchema, inspected.value, '')
    const fromBody =
      typeof body.anonymousId === 'string' && junkIdReason(body.anonymousId) === undefined
        ? body.anonymousId
        : undefined
    const fromCookie = readAnonymousCookie(req, deps.config.cookieSecrets)
    const anonymousId = fromBody ?? fromCookie ?? deps.newId()
    const { profileId, visitor } = await visitorOfDevice(deps, anonymousId)
    const page = pageInfo(body.page ?? {}, body.context ?? {})
    // The client address is worked out (trusted proxies, X-Forwarded-For) only to be enriched.
    const enrichment =
      deps.enricher === undefined
        ? undefined
        : enrichRequest(deps.enricher, clientAddress(req, false), body.context)
    const { userId, ...payload } = await personalizeFor(
      deps,
      profileId,
      page,
      req,
      body.context,
      enrichment,
      visitor,
    )
    // A read: the cookie is written only when it does not hold this id yet (page calls refresh it).
    if (fromCookie !== anonymousId) {
      writeAnonymousCookie(req, res, anonymousId, {
        secrets: deps.config.cookieSecrets,
        domain: deps.config.cookieDomain,
      })
    }
    res.json({ anonymousId, ...(userId === null ? {} : { userId }), ...payload })
  }
  router.post('/v1/personalize', chain(...jsonBody(limits.callBytes), answer))
}

/**
 * The payload for a profile on a page, for the browser answers (`/v1/personalize`, and identify,
 * page and group). The device class comes from `context.userAgent`, else the request's header;
 * `enrichment` is what the request's address told (see `enrichRequest`); `visitor` what the
 * caller already read of the profile (default: read now).
 */
export async function personalizeFor(
  deps: PersonalizeDeps,
  profileId: string,
  page: PageInfo,
  req: Request,
  context: JsonObject | undefined,
  enrichment: Enrichment | undefined,
  visitor?: PersonalizedVisitor,
): Promise<PayloadFields & { userId: string | null }> {
  if (profileId === '') return { userId: null, segments: [], experiences: [] }
  const userAgent =
    typeof context?.userAgent === 'string' ? context.userAgent : req.get('user-agent')
  const enricher = deps.enricher
  const result = await deps.personalization.personalize(deps.store, {
    profileId,
    page,
    userAgent,
    ...(visitor === undefined ? {} : { visitor }),
    ...(enrichment === undefined || enricher === undefined
      ? {}
      : { enrichment, firmographics: (domain: string) => enricher.companyTraits(domain) }),
  })
  return { userId: result.userId, segments: result.segments, experiences: result.experiences }
}

/**
 * The profile behind a device and, for a known device, what personalising reads of it, in one
 * read session (on PostgreSQL the device's lookup brings its profile and account in the same
 * statement, and the session costs one BEGIN). A device seen for the first time gets its profile
 * now, through the pipeline like any call, so its buckets hang on the profile id from the first
 * answer on; that new profile is read when personalised.
 */
export async function visitorOfDevice(
  deps: IngestDeps & { clock: () => number },
  anonymousId: string,
): Promise<{ profileId: string; visitor?: PersonalizedVisitor }> {
  const known = await deps.store.read(async (reader) => {
    const profileId = await reader.profileIdByAnonymousId(anonymousId)
    return profileId === undefined
      ? undefined
      : { profileId, visitor: await readPersonalizedVisitor(reader, profileId) }
  })
  if (known !== undefined) return known
  const result = await ingest(
    identifyEvent({ channel: 'browser', source: 'browser', anonymousId, at: deps.clock() }),
    deps,
  )
  return { profileId: result.profileId }
}
