import type { Request, RequestHandler } from 'express'
import type { AppDeps } from '../app-deps.ts'
import { maxIdLength } from '../identity/junk-ids.ts'
import { readAnonymousCookie } from './anonymous-cookie.ts'
import { clientAddress } from './client-address.ts'
import { browserOrigin } from './origin-check.ts'
import { clientBucket, rateLimit, type RateLimitDeps } from './rate-limit.ts'

/** The route groups browsers call directly; the edge guard covers every path under them. */
export const browserPaths = ['/v1/web', '/v1/personalize']

const minute = 60_000

/**
 * The guards in front of every browser endpoint, before its body is read: the Origin allow-list
 * (with CORS headers and preflight) and the per-client-IP rate limit. Mount once:
 * `app.use(browserPaths, chain(...browserEdge(deps)))`; the tracking API runs the same guards for calls
 * with a browser write key. `requestHeaders`: what a preflight may ask for (default
 * `Content-Type, X-Request-Id`).
 */
export function browserEdge(deps: AppDeps, requestHeaders?: string): RequestHandler[] {
  return [
    browserOrigin(
      deps.config.allowedOrigins,
      () => deps.metrics?.originRefused.inc(),
      requestHeaders,
    ),
    rateLimit(
      {
        name: 'ip',
        limit: deps.config.rateLimitIpPerMinute,
        windowMs: minute,
        keyOf: (req) => clientBucket(clientAddress(req, false)),
      },
      limiterDeps(deps),
    ),
  ]
}

/**
 * The per-visitor rate limit, placed after a browser route's body parser because the anonymous
 * id may come in the body (else from the signed cookie); a call with neither is a new visitor,
 * held by the IP limit only.
 */
export function visitorRateLimit(deps: AppDeps): RequestHandler {
  return rateLimit(
    {
      name: 'anonymousId',
      limit: deps.config.rateLimitVisitorPerMinute,
      windowMs: minute,
      keyOf: (req) => visitorKey(req, deps.config.cookieSecrets),
    },
    limiterDeps(deps),
  )
}

function visitorKey(req: Request, secrets: readonly string[]): string | undefined {
  const body: unknown = req.body
  if (typeof body === 'object' && body !== null && Object.hasOwn(body, 'anonymousId')) {
    const id = (body as { anonymousId?: unknown }).anonymousId
    if (typeof id === 'string' && id !== '' && id.length <= maxIdLength) return id
  }
  return readAnonymousCookie(req, secrets)
}

function limiterDeps(deps: AppDeps): RateLimitDeps {
  const store = deps.rateLimits
  if (store === undefined)
    throw new Error('rate limits need deps.rateLimits; build the app with createApp')
  return { store, clock: deps.clock, onLimited: (rule) => deps.metrics?.rateLimited.inc({ rule }) }
}
