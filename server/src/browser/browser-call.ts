import type { Request, Response } from 'express'
import { browserIdentifySchema, type CallType, type ParsedCall } from '../contract/event-schemas.ts'
import { joinPath } from '../contract/inspect-json.ts'
import { readCall } from '../contract/read-call.ts'
import { pageInfo } from '../contract/to-ingest-event.ts'
import type { Enrichment } from '../enrichment/enrichment.ts'
import { enrichRequest, inferredFacts } from '../enrichment/request-enrichment.ts'
import { AppError } from '../errors/app-error.ts'
import { writeAnonymousCookie } from '../http/anonymous-cookie.ts'
import { clientAddress } from '../http/client-address.ts'
import { checkUserHash, type VerificationSettings } from '../identity/check-verification.ts'
import type { IngestEvent, IngestResult } from '../pipeline/ingest-event.ts'
import { ingest } from '../pipeline/ingest.ts'
import { isJsonObject } from '../traits/json.ts'
import { personalizeFor, type PersonalizeDeps } from '../routes/personalize-routes.ts'

/** Calls whose answer carries the personalisation payload (track is fire-and-forget). */
const payloadTypes: readonly CallType[] = ['identify', 'page', 'group']

/** Where a browser call came in: `/v1/web/*`, or the tracking API with a browser write key. */
export interface BrowserCallOrigin {
  /** Dedup scope: `browser` for `/v1/web/*`, the key's source for a browser write key. */
  source: string
  /** Path prefix for errors and warnings: `` for a single call, `batch[3]` inside a batch. */
  path: string
  /** The device's id when the body has none: the signed cookie's, else one new id per request. */
  fallbackAnonymousId: string
  batchSentAt?: number | undefined
}

/** A browser call read at the edge, with what its address told (when enrichment is on). */
export interface BrowserCall {
  call: ParsedCall
  event: IngestEvent
  enrichment: Enrichment | undefined
}

/** What a browser call answers, before the route adds its own fields. */
export interface BrowserAnswer {
  anonymousId: string | undefined
  userId: string | null
  rotated?: true
  segments?: string[]
  experiences?: unknown[]
}

/**
 * The edge of every browser call, whichever route it came through: the call is read, an
 * `alias` is refused (only a trusted backend may join two ids), the user hash is checked, only
 * identify may claim a user id (the other calls follow the device), and, with verification
 * required, an unverified call writes no company traits. Throws an `AppError` naming the path.
 */
export async function readBrowserCall(
  deps: PersonalizeDeps,
  type: CallType,
  body: unknown,
  req: Request,
  origin: BrowserCallOrigin,
): Promise<BrowserCall> {
  if (type === 'alias') {
    throw new AppError(
      'server_key_required',
      'alias joins two ids, which only your backend may do: send it with a server write key',
      { path: joinPath(origin.path, 'type') },
    )
  }
  const { call, event } = readCall(
    type,
    body,
    {
      channel: 'browser',
      source: origin.source,
      receivedAt: deps.clock(),
      path: origin.path,
      fallbackAnonymousId: origin.fallbackAnonymousId,
      batchSentAt: origin.batchSentAt,
    },
    type === 'identify' ? browserIdentifySchema : undefined,
  )
  event.clientIp = clientAddress(req, false)
  const settings: VerificationSettings = {
    mode: deps.config.identityVerification,
    secret: deps.config.identitySecret,
  }
  const verified = await verifyUser(deps, settings, event, userHashOf(call), origin.path)
  // Only identify may claim a user id from a browser; other calls follow the device's link.
  if (type !== 'identify') event.userId = undefined
  if (settings.mode === 'required' && !verified) dropCompanyTraits(event, origin.path)
  const enrichment = enrichRequest(deps.enricher, event.clientIp, call.context)
  const inferred = inferredFacts(enrichment, event.receivedAt)
  if (inferred !== undefined) event.inferred = inferred
  return { call: call as ParsedCall, event, enrichment }
}

/**
 * Runs a browser call through the pipeline. Identify, page and group answers carry a payload,
 * so their result carries the profile as the call left it, which the payload then needs no
 * read for.
 */
export function ingestBrowserCall(
  deps: PersonalizeDeps,
  { event }: BrowserCall,
): Promise<IngestResult> {
  return ingest(event, deps, { withVisitor: payloadTypes.includes(event.type) })
}

/**
 * After the pipeline: (re)sets the anonymous-id cookie and, on identify, page and group, adds the
 * payload for the profile as it is after the call.
 */
export async function answerBrowserCall(
  deps: PersonalizeDeps,
  { call, event, enrichment }: BrowserCall,
  result: IngestResult,
  req: Request,
  res: Response,
): Promise<BrowserAnswer> {
  const anonymousId = result.anonymousId ?? event.anonymousId
  if (anonymousId !== undefined)
    writeAnonymousCookie(req, res, anonymousId, {
      secrets: deps.config.cookieSecrets,
      domain: deps.config.cookieDomain,
    })
  const answer: BrowserAnswer = {
    anonymousId,
    userId: result.userId,
    ...(result.rotated ? { rotated: true as const } : {}),
  }
  if (!payloadTypes.includes(event.type)) return answer
  const context = call.context ?? undefined
  const payload = await personalizeFor(
    deps,
    result.profileId,
    event.page ?? pageInfo({}, context ?? {}),
    req,
    context,
    enrichment,
    result.visitor,
  )
  return { ...answer, segments: payload.segments, experiences: payload.experiences }
}

/** `userHash` at the top of the call (`/v1/web/identify`) or in `context` (SDK options). */
function userHashOf(call: unknown): string | undefined {
  const top = (call as { userHash?: unknown }).userHash
  if (typeof top === 'string') return top
  const context = (call as { context?: unknown }).context
  const inContext = isJsonObject(context) ? context.userHash : undefined
  return typeof inContext === 'string' ? inContext : undefined
}

/**
 * Whether the call's user id is proven by its hash. An identify without one is refused when
 * verification is required (`checkUserHash`). Another call may name only the device's own user
 * without a hash: naming someone else is refused with 403 `unverified_user_id`, since only a
 * trusted backend may speak for another user.
 */
async function verifyUser(
  deps: PersonalizeDeps,
  settings: VerificationSettings,
  event: IngestEvent,
  hash: string | undefined,
  path: string,
): Promise<boolean> {
  if (event.type === 'identify' || (hash !== undefined && hash !== ''))
    return checkUserHash(settings, event.userId, hash)
  if (settings.mode !== 'required' || event.userId === undefined) return false
  const deviceUser = await userOfDevice(deps, event.anonymousId)
  if (deviceUser === event.userId) return false
  throw new AppError(
    'unverified_user_id',
    'A browser call may name only the user its device is identified as: identify first (with userHash), pass context.userHash, or send it from your backend with a server key',
    { path: joinPath(path, 'userId') },
  )
}

async function userOfDevice(
  deps: PersonalizeDeps,
  anonymousId: string | undefined,
): Promise<string | null | undefined> {
  if (anonymousId === undefined) return undefined
  return deps.store.read(async (reader) => {
    const profileId = await reader.profileIdByAnonymousId(anonymousId)
    return profileId === undefined ? undefined : (await reader.profile(profileId))?.userId
  })
}

/**
 * With verification required, an unverified browser call may not write to a company account that
 * other users share.
 */
function dropCompanyTraits(event: IngestEvent, path: string): void {
  if (event.company === undefined) return
  event.company = undefined
  event.warnings.push({
    code: 'company_requires_verification',
    message: 'Company traits from the browser need a verified identify; they were dropped',
    path: joinPath(path, event.type === 'group' ? 'groupId' : 'traits.company'),
  })
}
