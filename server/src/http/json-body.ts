import type { RequestHandler } from 'express'
import { AppError } from '../errors/app-error.ts'
import { readBody } from './read-body.ts'

/** Options of `jsonBody`. */
export interface JsonBodyOptions {
  /**
   * Read the body as JSON whatever its declared `Content-Type`, as Segment's and RudderStack's
   * servers do (RudderStack's Node SDK declares its gzipped JSON as a form). Default: false, only
   * `application/json` and `text/plain` (what `sendBeacon` and no-preflight `fetch` send).
   */
  anyContentType?: boolean
}

/**
 * Reads a JSON body of up to `limit` bytes after decoding its `Content-Encoding` (gzip, deflate,
 * br). Leaves the parsed value on `req.body`; anything else is a 400, 413 or 415 with a stable
 * code.
 */
export function jsonBody(limit: number, options: JsonBodyOptions = {}): RequestHandler[] {
  const checkType: RequestHandler = (req, _res, next) => {
    const type = (req.headers['content-type'] ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? ''
    if (type !== '' && type !== 'application/json' && type !== 'text/plain') {
      next(
        new AppError(
          'unsupported_media_type',
          `Send JSON as application/json or text/plain, not ${type}`,
          { path: 'content-type' },
        ),
      )
      return
    }
    next()
  }
  const parse: RequestHandler = (req, _res, next) => {
    readBody(req, limit).then(({ body }) => {
      if (body.length === 0) {
        next(new AppError('empty_body', 'The request has no body; send a JSON object'))
        return
      }
      try {
        const text = body.toString('utf8')
        // A byte-order mark some clients put first is not part of the JSON.
        req.body = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as unknown
      } catch (error) {
        next(
          new AppError('invalid_json', `The body is not valid JSON: ${(error as Error).message}`, {
            cause: error,
          }),
        )
        return
      }
      next()
    }, next)
  }
  return options.anyContentType === true ? [parse] : [checkType, parse]
}
