import type { Request, Response } from 'express'
import { junkIdReason } from '../identity/junk-ids.ts'

/** Name of the container's own first-party cookie holding the anonymous id. */
export const anonymousCookieName = 'parley_aid'

/** 400 days: the longest lifetime browsers honour for a cookie. */
const maxAgeMs = 400 * 24 * 60 * 60 * 1000

/**
 * The anonymous id from the signed, HttpOnly cookie, or `undefined` when it is missing or its
 * signature does not match (a tampered cookie is treated as no cookie).
 */
export function readAnonymousCookie(req: Request): string | undefined {
  const signed = req.signedCookies as Record<string, unknown> | undefined
  const value = signed?.[anonymousCookieName]
  return typeof value === 'string' && junkIdReason(value) === undefined ? value : undefined
}

/**
 * (Re)sets the cookie on every browser response: set by the server with `Set-Cookie`, it outlives
 * Safari's 7-day cap on script-written storage when the container is on the site's own domain.
 */
export function writeAnonymousCookie(
  req: Request,
  res: Response,
  anonymousId: string,
  domain: string | undefined,
): void {
  res.cookie(anonymousCookieName, anonymousId, {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    secure: req.secure,
    maxAge: maxAgeMs,
    path: '/',
    ...(domain === undefined ? {} : { domain }),
  })
}
