import { AppError } from '../errors/app-error.ts'
import { junkIdReason } from '../identity/junk-ids.ts'
import type { IngestEvent, PageInfo } from '../pipeline/ingest-event.ts'
import type { Warning } from '../pipeline/warnings.ts'
import { correctedEventTime } from '../traits/event-time.ts'
import { isJsonObject, type Json, type JsonObject } from '../traits/json.ts'
import { normalizeCompanyTraits, normalizeTraits } from '../traits/normalize-reserved.ts'
import type { CallType, ParsedCall } from './event-schemas.ts'
import { assertDepth, joinPath } from './inspect-json.ts'
import { limits } from './limits.ts'

/** Where a call came from, as the route knows it. */
export interface CallOrigin {
  channel: IngestEvent['channel']
  source: string
  receivedAt: number
  /** Path prefix for errors and warnings: `` for a single call, `batch[3]` inside a batch. */
  path: string
  /** A batch's own `sentAt`, used when the event has none. */
  batchSentAt?: number | undefined
  /** Extra warnings found before parsing (forbidden keys). */
  warnings?: Warning[]
  /** The device's id when the body has no usable one (the browser's signed cookie). */
  fallbackAnonymousId?: string
}

/**
 * Turns a parsed call into the pipeline's one event shape: junk ids set aside with a warning,
 * reserved traits normalised, the event time corrected, page facts gathered.
 */
export function toIngestEvent(type: CallType, call: ParsedCall, origin: CallOrigin): IngestEvent {
  const at = (key: string) => joinPath(origin.path, key)
  const warnings: Warning[] = [...(origin.warnings ?? [])]
  for (const key of ['traits', 'properties', 'context'] as const) {
    const value = call[key]
    if (isJsonObject(value)) assertDepth(value, at(key), limits.objectDepth)
  }
  const userId = usableId(call.userId, 'junk_user_id', at('userId'), warnings)
  const anonymousId =
    usableId(call.anonymousId, 'junk_anonymous_id', at('anonymousId'), warnings) ??
    origin.fallbackAnonymousId
  if (userId === undefined && anonymousId === undefined && origin.channel === 'server') {
    throw new AppError('missing_identity', 'A call needs a usable userId or anonymousId', {
      path: at('userId'),
    })
  }

  const normalized =
    type === 'identify'
      ? identifyTraits(call, at)
      : type === 'group'
        ? normalizeCompanyTraits({ ...(call.traits ?? {}), id: call.groupId ?? null }, at('traits'))
        : { user: {}, company: undefined, warnings: [] }
  warnings.push(...normalized.warnings)

  const event: IngestEvent = {
    type,
    channel: origin.channel,
    source: origin.source,
    messageId: call.messageId,
    anonymousId,
    userId,
    traits: normalized.user,
    company: normalized.company,
    at: correctedEventTime({
      receivedAt: origin.receivedAt,
      timestamp: call.timestamp ?? call.originalTimestamp,
      sentAt: call.sentAt ?? origin.batchSentAt,
    }),
    receivedAt: origin.receivedAt,
    warnings,
  }
  if (type === 'alias' && call.previousId !== undefined) {
    event.previousId = call.previousId
    event.anonymousId = usableId(call.previousId, 'junk_anonymous_id', at('previousId'), warnings)
  }
  if (call.event !== undefined) event.event = call.event
  if (typeof call.name === 'string') event.name = call.name
  if (isJsonObject(call.properties)) event.properties = call.properties
  if (type === 'page') event.page = pageInfo(call.properties ?? {}, call.context ?? {})
  return event
}

/**
 * An identify's user traits: `traits`, else `context.traits`, where RudderStack's browser SDK
 * sends them (its identify has no top-level `traits`).
 */
function identifyTraits(call: ParsedCall, at: (key: string) => string) {
  if (isJsonObject(call.traits) || !isJsonObject(call.context?.traits))
    return normalizeTraits(call.traits ?? {}, at('traits'))
  return normalizeTraits(call.context.traits, at('context.traits'))
}

function usableId(
  id: string | null | undefined,
  code: 'junk_user_id' | 'junk_anonymous_id',
  path: string,
  warnings: Warning[],
): string | undefined {
  if (id === undefined || id === null) return undefined
  const reason = junkIdReason(id)
  if (reason === undefined) return id
  warnings.push({
    code,
    message: `${path} ${reason}; it identifies nobody, so the call was kept on the anonymous visitor`,
    path,
  })
  return undefined
}

const utmKeys = ['source', 'medium', 'campaign', 'term', 'content'] as const

/** Page facts from `properties` (Segment page calls) and `context.page`, with UTM parameters. */
export function pageInfo(properties: JsonObject, context: JsonObject): PageInfo {
  const fromContext = isJsonObject(context.page) ? context.page : {}
  const pick = (key: string): string | undefined => {
    const value: Json | undefined = properties[key] ?? fromContext[key]
    return typeof value === 'string' ? value.slice(0, 2048) : undefined
  }
  const info: PageInfo = {}
  for (const key of ['url', 'path', 'referrer', 'title', 'search'] as const) {
    const value = pick(key)
    if (value !== undefined) info[key] = value
  }
  const utm = utmOf(info, context)
  if (utm !== undefined) info.utm = utm
  return info
}

function utmOf(info: PageInfo, context: JsonObject): Record<string, string> | undefined {
  const utm: Record<string, string> = {}
  const campaign = isJsonObject(context.campaign) ? context.campaign : {}
  let query: URLSearchParams | undefined
  try {
    query = info.url === undefined ? undefined : new URL(info.url).searchParams
  } catch {
    query = info.search === undefined ? undefined : new URLSearchParams(info.search)
  }
  for (const key of utmKeys) {
    const contextKey = key === 'campaign' ? 'name' : key
    const value = campaign[contextKey] ?? query?.get(`utm_${key}`) ?? undefined
    if (typeof value === 'string' && value !== '') utm[key] = value.slice(0, 400)
  }
  return Object.keys(utm).length === 0 ? undefined : utm
}
