import { hash, timingSafeEqual } from 'node:crypto'
import type { RequestHandler } from 'express'
import { AppError } from '../errors/app-error.ts'

/** Constant-time comparison of two secrets of any length. */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digestOf(given), digestOf(expected))
}

/**
 * A secret known at start, kept as its digest: checking a given value against it hashes only the
 * given one, in constant time whatever its length.
 */
export class KnownSecret {
  readonly #digest: Buffer
  constructor(secret: string) {
    this.#digest = digestOf(secret)
  }

  /** Whether `given` is the secret; compare `digestOf(given)` for several secrets at once. */
  matches(given: string | Buffer): boolean {
    return timingSafeEqual(typeof given === 'string' ? digestOf(given) : given, this.#digest)
  }
}

/** The SHA-256 digest constant-time comparisons work on. */
export function digestOf(secret: string): Buffer {
  return hash('sha256', secret, 'buffer')
}

/** A short, stable name for a write key: dedup scope and logs never hold the key itself. */
export function writeKeySource(key: string): string {
  return `wk:${hash('sha256', key, 'hex').slice(0, 12)}`
}

/** The two kinds of write key: `server` keys are trusted backends, `browser` keys are public. */
export type WriteKeyKind = 'server' | 'browser'

/** The write keys the tracking API accepts, by kind. */
export interface WriteKeys {
  server: readonly string[]
  browser: readonly string[]
}

/** What `requireWriteKey` found: the key's dedup source and its kind. */
export interface WriteKeyMatch {
  source: string
  kind: WriteKeyKind
}

/**
 * Segment's write-key auth: `Authorization: Basic base64(writeKey + ':')`, or `writeKey` in the
 * body, or with `fromQuery` (default false) in the query string, where a beacon, which can set no
 * header, carries it (RudderStack's `/beacon/v1/batch?writeKey=`). Leaves a `WriteKeyMatch` on `res.locals.writeKey` (read it with `writeKeyOf`); a missing
 * or unknown key is a 401.
 */
export function requireWriteKey(
  keys: WriteKeys,
  options: { fromQuery?: boolean } = {},
): RequestHandler {
  const known = knownKeys(keys)
  return (req, res, next) => {
    const key =
      basicUser(req.headers.authorization) ??
      bodyWriteKey(req.body) ??
      (options.fromQuery === true ? queryWriteKey(req.query) : undefined)
    const match = key === undefined ? undefined : findKey(known, key)
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
    res.locals.writeKey = match
    next()
  }
}

/** The write key `requireWriteKey` accepted for this request. */
export function writeKeyOf(res: { locals: Record<string, unknown> }): WriteKeyMatch {
  const match = res.locals.writeKey as WriteKeyMatch | undefined
  if (match === undefined) throw new Error('writeKeyOf: requireWriteKey did not run')
  return match
}

/** The write keys as digests with what a match yields, computed once per app. */
function knownKeys(keys: WriteKeys): { secret: KnownSecret; match: WriteKeyMatch }[] {
  return (['server', 'browser'] as const).flatMap((kind) =>
    keys[kind].map((key) => ({
      secret: new KnownSecret(key),
      match: { source: writeKeySource(key), kind },
    })),
  )
}

function findKey(
  known: readonly { secret: KnownSecret; match: WriteKeyMatch }[],
  key: string,
): WriteKeyMatch | undefined {
  // Every key is compared, so the time taken does not tell which list (if any) holds it.
  const given = digestOf(key)
  let found: WriteKeyMatch | undefined
  for (const { secret, match } of known) {
    if (secret.matches(given) && found === undefined) found = match
  }
  return found
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
  const expected = new KnownSecret(token)
  return (req, _res, next) => {
    const header = req.headers.authorization ?? ''
    const given = header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined
    if (given === undefined || !expected.matches(given)) {
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

function queryWriteKey(query: unknown): string | undefined {
  const key = (query as Record<string, unknown> | undefined)?.writeKey
  return typeof key === 'string' && key !== '' ? key : undefined
}

function bodyWriteKey(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !Object.hasOwn(body, 'writeKey'))
    return undefined
  const key = (body as { writeKey?: unknown }).writeKey
  return typeof key === 'string' && key !== '' ? key : undefined
}
