import { createHash, timingSafeEqual } from 'node:crypto'
import type { RequestHandler } from 'express'
import { AppError } from '../errors/app-error.ts'

/** Constant-time comparison of two secrets of any length. */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest()
  const b = createHash('sha256').update(expected).digest()
  return timingSafeEqual(a, b)
}

/** A short, stable name for a write key: dedup scope and logs never hold the key itself. */
export function writeKeySource(key: string): string {
  return `wk:${createHash('sha256').update(key).digest('hex').slice(0, 12)}`
}

/**
 * Segment's write-key auth: `Authorization: Basic base64(writeKey + ':')`, or `writeKey` in the
 * body. Sets `res.locals.source`; a missing or unknown key is a 401.
 */
export function requireWriteKey(writeKeys: readonly string[]): RequestHandler {
  return (req, res, next) => {
    const key = basicUser(req.headers.authorization) ?? bodyWriteKey(req.body)
    const match = key === undefined ? undefined : writeKeys.find((known) => sameSecret(key, known))
    if (match === undefined) {
      next(
        new AppError(
          'invalid_write_key',
          key === undefined
            ? 'Authenticate with Basic auth: the write key as user name, empty password'
            : 'Unknown write key',
          { path: 'authorization' },
        ),
      )
      return
    }
    res.locals.source = writeKeySource(match)
    next()
  }
}

/** `Authorization: Bearer <admin token>`, else a 401. */
export function requireAdminToken(token: string): RequestHandler {
  return requireBearer(
    token,
    'invalid_admin_token',
    'Admin endpoints need Authorization: Bearer <admin token>',
  )
}

/** `Authorization: Bearer <token>`, else a 401 with `code`. */
export function requireBearer(
  token: string,
  code: 'invalid_admin_token' | 'invalid_metrics_token',
  message: string,
): RequestHandler {
  return (req, _res, next) => {
    const header = req.headers.authorization ?? ''
    const given = header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined
    if (given === undefined || !sameSecret(given, token)) {
      next(new AppError(code, message, { path: 'authorization' }))
      return
    }
    next()
  }
}

function basicUser(header: string | undefined): string | undefined {
  if (header === undefined || !header.startsWith('Basic ')) return undefined
  const decoded = Buffer.from(header.slice('Basic '.length).trim(), 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  const user = colon < 0 ? decoded : decoded.slice(0, colon)
  return user === '' ? undefined : user
}

function bodyWriteKey(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !Object.hasOwn(body, 'writeKey'))
    return undefined
  const key = (body as { writeKey?: unknown }).writeKey
  return typeof key === 'string' && key !== '' ? key : undefined
}
