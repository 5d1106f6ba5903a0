import type { RequestHandler } from 'express'
import type { AppDeps } from '../app-deps.ts'
import { browserEdge, visitorRateLimit } from '../http/browser-guard.ts'
import { writeKeyOf } from '../http/credentials.ts'
import { chain } from '../http/handler-chain.ts'

/**
 * Headers a browser SDK's preflight may ask for on the tracking API: RudderStack's sends its key
 * as Basic auth and the anonymous id as a header.
 */
export const trackingRequestHeaders = 'Authorization, Content-Type, AnonymousId, X-Request-Id'

/**
 * The guards of `/v1/web/*` (Origin allow-list with CORS, per-IP and per-visitor rate limits)
 * for tracking-API calls made with a browser write key; server keys pass untouched. Runs after
 * the body is read and the key found, since analytics.js sends the key in the body.
 */
export function browserKeyEdge(deps: AppDeps): RequestHandler {
  const guards = chain(...browserEdge(deps, trackingRequestHeaders), visitorRateLimit(deps))
  return (req, res, next) => {
    if (writeKeyOf(res).kind === 'browser') guards(req, res, next)
    else next()
  }
}
