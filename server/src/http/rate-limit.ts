import { isIP } from 'node:net'
import type { Request, RequestHandler } from 'express'
import { AppError } from '../errors/app-error.ts'
import type { RateLimitStore } from './rate-limit-store.ts'

/** One limit: at most `limit` calls per `windowMs` for each key that `keyOf` finds. */
export interface RateLimitRule {
  /** Names the bucket in errors and metrics: `ip`, `anonymousId`. */
  name: string
  /** Calls allowed per window; 0 turns the rule off. */
  limit: number
  windowMs: number
  /** The bucket of a request, or `undefined` to let it through uncounted. */
  keyOf: (req: Request) => string | undefined
}

/** What a rate-limit middleware needs from outside. */
export interface RateLimitDeps {
  store: RateLimitStore
  clock: () => number
  /** Told about every refused call (metrics). */
  onLimited?: (rule: string) => void
}

/**
 * Refuses calls over the limit with 429 `rate_limited` and `Retry-After` (whole seconds until the
 * window ends), so well-behaved clients such as Segment's SDKs wait instead of hammering.
 */
export function rateLimit(rule: RateLimitRule, deps: RateLimitDeps): RequestHandler {
  if (rule.limit <= 0) return (_req, _res, next) => next()
  return (req, res, next) => {
    const key = rule.keyOf(req)
    if (key === undefined) {
      next()
      return
    }
    const now = deps.clock()
    deps.store.hit(`${rule.name}:${key}`, rule.windowMs, now).then(
      (hit) => {
        if (hit.count <= rule.limit) {
          next()
          return
        }
        deps.onLimited?.(rule.name)
        res.set('Retry-After', String(Math.max(1, Math.ceil((hit.resetAt - now) / 1000))))
        next(
          new AppError(
            'rate_limited',
            `Too many calls for this ${rule.name}: at most ${rule.limit} per ${rule.windowMs / 1000} s`,
            { path: rule.name },
          ),
        )
      },
      (error: unknown) => next(error),
    )
  }
}

/**
 * The rate-limit bucket of a client address. `req.ip` already skips exactly the configured
 * number of trusted proxies (`PARLEY_TRUST_PROXY`), so a forged `X-Forwarded-For` entry never
 * lands here. IPv4-mapped IPv6 counts as IPv4; other IPv6 addresses count per /64, the block
 * one subscriber usually gets, so rotating through it does not buy new buckets.
 */
export function clientBucket(ip: string | undefined): string | undefined {
  if (ip === undefined || ip === '') return undefined
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)
  if (mapped?.[1] !== undefined) return mapped[1]
  if (isIP(ip) !== 6) return ip
  return `${expandIpv6(ip).slice(0, 4).join(':')}::/64`
}

function expandIpv6(ip: string): string[] {
  const [head = '', tail] = ip.toLowerCase().split('%', 1)[0]?.split('::', 2) ?? []
  const left = head === '' ? [] : head.split(':')
  const right = tail === undefined || tail === '' ? [] : tail.split(':')
  const missing = tail === undefined ? 0 : 8 - left.length - right.length
  return [...left, ...Array.from({ length: missing }, () => '0'), ...right].map((group) =>
    group.replace(/^0+(?=.)/, ''),
  )
}
