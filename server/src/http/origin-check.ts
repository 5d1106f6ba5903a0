import type { RequestHandler } from 'express'
import { AppError } from '../errors/app-error.ts'

/**
 * Builds the test for `PARLEY_ALLOWED_ORIGINS` entries (as normalised by the config): `*`, exact
 * origins, and `scheme://*.domain` patterns that match any subdomain of `domain`.
 */
export function originMatcher(allowed: readonly string[]): (origin: string) => boolean {
  if (allowed.includes('*')) return () => true
  const exact = new Set(allowed.filter((entry) => !entry.includes('://*.')))
  const suffixes = allowed
    .filter((entry) => entry.includes('://*.'))
    .map((entry) => {
      const [scheme = '', rest = ''] = entry.split('://*', 2)
      return { scheme: `${scheme}://`, suffix: rest }
    })
  return (origin) => {
    const normalized = origin.toLowerCase()
    if (exact.has(normalized)) return true
    return suffixes.some(
      ({ scheme, suffix }) =>
        normalized.startsWith(scheme) &&
        normalized.endsWith(suffix) &&
        normalized.length > scheme.length + suffix.length &&
        !normalized.slice(scheme.length, -suffix.length).includes('/'),
    )
  }
}

/** Headers a preflight may ask for by default; anything else the browser endpoints ignore. */
const allowedRequestHeaders = 'Content-Type, X-Request-Id'

/**
 * Guards a group of browser endpoints (mount it with `app.use(paths, browserOrigin(...))`).
 * A write from a page on another site is refused with 403 `origin_not_allowed` before its body is
 * read: `text/plain` and `sendBeacon` posts skip CORS preflight, so CORS headers alone would let
 * them through. Browsers send `Origin` on every POST, so only non-browser clients (which could
 * forge it anyway) and same-origin pages get past without one. Allowed origins get CORS headers
 * with credentials, so the page can read the answer and the cookie rides along; preflights are
 * answered here with 204, allowing `requestHeaders` (default `Content-Type, X-Request-Id`).
 */
export function browserOrigin(
  allowed: readonly string[],
  onRefused: () => void = () => undefined,
  requestHeaders: string = allowedRequestHeaders,
): RequestHandler {
  const isAllowed = originMatcher(allowed)
  return (req, res, next) => {
    res.vary('Origin')
    const origin = req.headers.origin
    if (origin === undefined) {
      next()
      return
    }
    if (!sameOrigin(origin, req.host) && !isAllowed(origin)) {
      onRefused()
      next(
        new AppError('origin_not_allowed', `Calls from ${origin} are not allowed here`, {
          path: 'origin',
        }),
      )
      return
    }
    res.set({
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Allow-Credentials': 'true',
      'Access-Control-Expose-Headers': 'Retry-After, X-Request-Id',
    })
    if (req.method === 'OPTIONS') {
      res.set({
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        'Access-Control-Allow-Headers': requestHeaders,
        'Access-Control-Max-Age': '600',
      })
      res.status(204).end()
      return
    }
    next()
  }
}

/** True when `origin` names the host the request was sent to (the container's own pages). */
function sameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false
  try {
    return new URL(origin).host === host.toLowerCase()
  } catch {
    return false
  }
}
