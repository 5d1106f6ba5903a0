import type { Request, RequestHandler } from 'express'
import { answerBrowserCall, ingestBrowserCall, readBrowserCall } from '../browser/browser-call.ts'
import { browserKeyEdge, trackingRequestHeaders } from '../browser/browser-key-edge.ts'
import { batchSchema, type CallType, type ParsedCall } from '../contract/event-schemas.ts'
import { assertDepth, joinPath } from '../contract/inspect-json.ts'
import { limits } from '../contract/limits.ts'
import { parseWith } from '../contract/parse-with.ts'
import { readCall } from '../contract/read-call.ts'
import { AppError, type ErrorBody } from '../errors/app-error.ts'
import { readAnonymousCookie, writeAnonymousCookie } from '../http/anonymous-cookie.ts'
import { clientAddress } from '../http/client-address.ts'
import { requireWriteKey, writeKeyOf, type WriteKeyMatch } from '../http/credentials.ts'
import { chain } from '../http/handler-chain.ts'
import type { RouteTarget } from '../http/hot-routes.ts'
import { jsonBody } from '../http/json-body.ts'
import { browserOrigin } from '../http/origin-check.ts'
import type { IngestEvent } from '../pipeline/ingest-event.ts'
import { ingest } from '../pipeline/ingest.ts'
import { withWarnings, type Warning } from '../pipeline/warnings.ts'
import { isJsonObject, type Json } from '../traits/json.ts'
import type { PersonalizeDeps } from './personalize-routes.ts'

const callTypes: readonly CallType[] = ['identify', 'group', 'track', 'page', 'alias']

/** Each call's paths: Segment's long name and analytics.js's one-letter short path. */
export const callPaths: Readonly<Record<CallType, readonly string[]>> = {
  identify: ['/v1/identify', '/v1/i'],
  group: ['/v1/group', '/v1/g'],
  track: ['/v1/track', '/v1/t'],
  page: ['/v1/page', '/v1/p'],
  alias: ['/v1/alias', '/v1/a'],
}
export const batchPaths: readonly string[] = ['/v1/batch', '/v1/b']
/** RudderStack's browser SDK with `useBeacon`: a batch whose write key is in the query string. */
export const beaconPaths: readonly string[] = ['/beacon/v1/batch']

/** Every path of the tracking API. */
export const trackingPaths: readonly string[] = [
  ...Object.values(callPaths).flat(),
  ...batchPaths,
  ...beaconPaths,
]

/**
 * The Segment-compatible tracking API (`/v1/identify|group|track|page|alias|batch` and
 * analytics.js's `/v1/i|g|t|p|a|b`), so Segment and RudderStack SDKs, in browsers and on servers,
 * can point their host here unchanged. Bodies are JSON whatever their declared type, plain or
 * gzip / deflate / br. A server write key is a trusted backend; a browser write key's calls are
 * browser traffic and go through the very guards and steps of `/v1/web/*`.
 * Registered as hot routes (`router`, see hot-routes.ts): these are the hot paths.
 */
export function segmentRoutes(router: RouteTarget, deps: PersonalizeDeps): void {
  const keys = { server: deps.config.writeKeys, browser: deps.config.browserWriteKeys }
  const auth = requireWriteKey(keys)
  // Browser SDKs that send JSON or Basic auth (RudderStack's) ask first; server SDKs never do.
  const preflight = browserOrigin(
    deps.config.allowedOrigins,
    () => deps.metrics?.originRefused.inc(),
    trackingRequestHeaders,
  )
  const browserGuards = browserKeyEdge(deps)

  // One route per path, so metrics and logs name the path that was called; its steps run as one
  // handler (see handler-chain.ts).
  const post = (paths: readonly string[], ...handlers: RequestHandler[]) => {
    const steps = chain(...handlers)
    for (const path of paths) router.post(path, steps)
  }

  for (const type of callTypes) {
    post(
      callPaths[type],
      ...jsonBody(limits.callBytes, { anyContentType: true }),
      auth,
      browserGuards,
      async (req, res) => {
        const key = writeKeyOf(res)
        if (key.kind === 'browser') {
          const read = await readBrowserCall(deps, type, req.body, req, {
            source: key.source,
            path: '',
            fallbackAnonymousId:
              readAnonymousCookie(req, deps.config.cookieSecrets) ?? deps.newId(),
          })
          const result = await ingestBrowserCall(deps, read)
          const answer = await answerBrowserCall(deps, read, result, req, res)
          res.json(withWarnings({ success: true, ...answer }, result.warnings))
          return
        }
        const event = readServerCall(deps, type, req.body, req, key, { path: '' })
        const result = await ingest(event, deps)
        res.json(withWarnings({ success: true }, result.warnings))
      },
    )
  }

  const batchHandler: RequestHandler = async (req, res) => {
    const body = parseWith(batchSchema, req.body, '')
    if (body.batch.length > limits.batchEvents) {
      throw new AppError(
        'too_many_events',
        `A batch may hold at most ${limits.batchEvents} events`,
        { path: 'batch' },
      )
    }
    const key = writeKeyOf(res)
    const readItem = itemReader(deps, req, key)
    const warnings: Warning[] = []
    const rejected: (ErrorBody['error'] & { index: number })[] = []
    let anonymousId: string | undefined
    // One event at a time, each in its own transaction: a bad event is reported, the rest land.
    for (const [index, item] of body.batch.entries()) {
      const path = joinPath('batch', index)
      try {
        // Depth first: measuring the size of a 100,000-deep value would overflow the stack.
        assertDepth(item as Json, path, limits.bodyDepth)
        if (Buffer.byteLength(JSON.stringify(item)) > limits.callBytes) {
          throw new AppError(
            'payload_too_large',
            `An event may be at most ${limits.callBytes} bytes`,
            { path },
          )
        }
        const type = batchItemType(item, path)
        const event = await readItem(type, withBatchContext(item, body.context), {
          path,
          batchSentAt: body.sentAt,
        })
        const result = await ingest(event, deps)
        anonymousId = result.anonymousId ?? event.anonymousId ?? anonymousId
        warnings.push(...result.warnings)
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500) throw error
        rejected.push({ index, ...error.toBody().error })
      }
    }
    if (key.kind === 'browser' && anonymousId !== undefined)
      writeAnonymousCookie(req, res, anonymousId, {
        secrets: deps.config.cookieSecrets,
        domain: deps.config.cookieDomain,
      })
    res.json(
      withWarnings({ success: true, ...(rejected.length > 0 ? { rejected } : {}) }, warnings),
    )
  }
  const batchBody = jsonBody(limits.batchBytes, { anyContentType: true })
  post(batchPaths, ...batchBody, auth, browserGuards, batchHandler)
  post(
    beaconPaths,
    ...batchBody,
    requireWriteKey(keys, { fromQuery: true }),
    browserGuards,
    batchHandler,
  )
  // After the calls: a preflight is rare next to the calls it clears.
  for (const path of trackingPaths) router.options(path, preflight)
}

interface ItemOrigin {
  path: string
  batchSentAt?: number | undefined
}

/** Reads a batch's events as browser calls or server calls, after the key that sent them. */
function itemReader(
  deps: PersonalizeDeps,
  req: Request,
  key: WriteKeyMatch,
): (type: CallType, item: unknown, origin: ItemOrigin) => Promise<IngestEvent> {
  if (key.kind === 'server')
    return (type, item, origin) =>
      Promise.resolve(readServerCall(deps, type, item, req, key, origin))
  // Events without an anonymous id share one device per request: the cookie's, else a new one.
  const fallbackAnonymousId = readAnonymousCookie(req, deps.config.cookieSecrets) ?? deps.newId()
  return async (type, item, origin) =>
    (
      await readBrowserCall(deps, type, item, req, {
        source: key.source,
        fallbackAnonymousId,
        ...origin,
      })
    ).event
}

/** A call from a trusted backend: as sent, with the visitor's address from `context.ip`. */
function readServerCall(
  deps: PersonalizeDeps,
  type: CallType,
  body: unknown,
  req: Request,
  key: WriteKeyMatch,
  origin: ItemOrigin,
): IngestEvent {
  const { call, event } = readCall(type, body, {
    channel: 'server',
    source: key.source,
    receivedAt: deps.clock(),
    ...origin,
  })
  event.clientIp = clientAddress(req, true, (call as ParsedCall).context)
  return event
}

function batchItemType(item: unknown, path: string): CallType {
  if (isJsonObject(item) && Object.hasOwn(item, 'type') && typeof item.type === 'string') {
    const type = item.type as CallType
    if (callTypes.includes(type)) return type
  }
  throw new AppError('invalid_field', `${path}.type: expected one of ${callTypes.join(', ')}`, {
    path: `${path}.type`,
  })
}

/** Segment lets a batch carry one `context` for all its events; an event's own wins. */
function withBatchContext(item: unknown, context: unknown): unknown {
  if (context === undefined || !isJsonObject(item) || Object.hasOwn(item, 'context')) return item
  return { ...item, context }
}
