import { createHmac, timingSafeEqual } from 'node:crypto'
import type { Request, Response } from 'express'
import { LRUCache } from 'lru-cache'
import { junkIdReason } from '../identity/junk-ids.ts'

/** Name of the container's own first-party cookie holding the anonymous id. */
export const anonymousCookieName = 'parley_aid'

/** 400 days: the longest lifetime browsers honour for a cookie. */
const maxAgeMs = 400 * 24 * 60 * 60 * 1000

/** Where a request keeps the cookie it was read for, so a second read costs no HMAC. */
const readOnce = Symbol('parley anonymous cookie')

/**
 * The anonymous id from the signed, HttpOnly cookie, or `undefined` when it is missing or its
 * signature matches none of `secrets` (a tampered cookie is treated as no cookie). Only this
 * cookie is parsed, when a route asks for it; the format is cookie-parser's (`s:<id>.<mac>`), so
 * cookies set before keep working.
 */
export function readAnonymousCookie(req: Request, secrets: readonly string[]): string | undefined {
  const memo = req as Request & { [readOnce]?: string | null }
  const known = memo[readOnce]
  if (known !== undefined) return known ?? undefined
  const raw = cookieValue(req.headers.cookie, anonymousCookieName)
  const value = raw?.startsWith('s:') === true ? verified(raw.slice(2), secrets) : undefined
  const id = value !== undefined && junkIdReason(value) === undefined ? value : undefined
  memo[readOnce] = id ?? null
  return id
}

/**
 * (Re)sets the cookie on every browser response: set by the server with `Set-Cookie`, it outlives
 * Safari's 7-day cap on script-written storage when the container is on the site's own domain.
 * Signed with the first of `secrets`. The header is cookie-parser's and Express's `res.cookie`
 * format, built here: a returning visitor's signed value comes from a cache (no HMAC), and the
 * date from one made once a second.
 */
export function writeAnonymousCookie(
  req: Request,
  res: Response,
  anonymousId: string,
  options: { secrets: readonly string[]; domain: string | undefined },
): void {
  const secret = options.secrets[0]
  if (secret === undefined) throw new Error('the anonymous cookie needs a secret to sign it')
  const now = Date.now()
  const header =
    `${anonymousCookieName}=${signedValue(anonymousId, secret)}; Max-Age=${maxAgeMs / 1000}` +
    `${options.domain === undefined ? '' : `; Domain=${options.domain}`}; Path=/; ` +
    `Expires=${expiresAt(now)}; HttpOnly${req.secure ? '; Secure' : ''}; SameSite=Lax`
  const before = res.getHeader('Set-Cookie')
  res.setHeader(
    'Set-Cookie',
    before === undefined
      ? header
      : [...(Array.isArray(before) ? before : [String(before)]), header],
  )
}

/** The signed, URL-encoded cookie values by secret and id: at most 10,000 ids per secret. */
const signedValues = new Map<string, LRUCache<string, string>>()

function signedValue(anonymousId: string, secret: string): string {
  let cache = signedValues.get(secret)
  if (cache === undefined) {
    cache = new LRUCache({ max: 10_000 })
    signedValues.set(secret, cache)
  }
  let value = cache.get(anonymousId)
  if (value === undefined) {
    value = encodeURIComponent(`s:${anonymousId}.${signature(anonymousId, secret)}`)
    cache.set(anonymousId, value)
  }
  return value
}

/** The cookie's `Expires` for a write at `now`: the same text for a whole second. */
let expires = { second: Number.NaN, text: '' }

function expiresAt(now: number): string {
  const second = Math.floor((now + maxAgeMs) / 1000)
  if (second !== expires.second) {
    expires = { second, text: new Date(second * 1000).toUTCString() }
  }
  return expires.text
}

/** The value of one cookie in a `Cookie` header, URL-decoded; the first if it repeats. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined
  for (let start = 0; start < header.length;) {
    const end = header.indexOf(';', start)
    const pair = header.slice(start, end < 0 ? header.length : end)
    const equals = pair.indexOf('=')
    if (equals > 0 && pair.slice(0, equals).trim() === name) {
      let value = pair.slice(equals + 1).trim()
      if (value.startsWith('"') && value.endsWith('"') && value.length > 1)
        value = value.slice(1, -1)
      try {
        return value.includes('%') ? decodeURIComponent(value) : value
      } catch {
        return undefined
      }
    }
    if (end < 0) break
    start = end + 1
  }
  return undefined
}

/**
 * Cookies whose signature checked out, per list of secrets: a returning visitor sends the same
 * cookie on every call, and its HMAC need not be worked out again. Only valid cookies are kept
 * (a forged one costs its HMAC every time), at most 10,000 per list.
 */
const checked = new WeakMap<readonly string[], LRUCache<string, string>>()

function verified(signed: string, secrets: readonly string[]): string | undefined {
  let cache = checked.get(secrets)
  if (cache === undefined) {
    cache = new LRUCache({ max: 10_000 })
    checked.set(secrets, cache)
  }
  const known = cache.get(signed)
  if (known !== undefined) return known
  const value = unsign(signed, secrets)
  if (value !== undefined) cache.set(signed, value)
  return value
}

function signature(value: string, secret: string): string {
  return createHmac('sha256', secret).update(value).digest('base64').replace(/=+$/, '')
}

function unsign(signed: string, secrets: readonly string[]): string | undefined {
  const dot = signed.lastIndexOf('.')
  if (dot < 0) return undefined
  const value = signed.slice(0, dot)
  const given = Buffer.from(signed.slice(dot + 1))
  for (const secret of secrets) {
    const expected = Buffer.from(signature(value, secret))
    if (expected.length === given.length && timingSafeEqual(expected, given)) return value
  }
  return undefined
}
