import express, { type RequestHandler } from 'express'
import { AppError } from '../errors/app-error.ts'

const rawBody = (limit: number) => express.raw({ type: () => true, limit, inflate: true })

/**
 * Reads a JSON body sent as `application/json` or `text/plain` (what `sendBeacon` and no-preflight
 * `fetch` send), up to `limit` bytes. Leaves the parsed value on `req.body`; anything else is a
 * 400, 413 or 415 with a stable code.
 */
export function jsonBody(limit: number): RequestHandler[] {
  return [
    (req, _res, next) => {
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
    },
    rawBody(limit),
    (req, _res, next) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
      if (raw.length === 0) {
        next(new AppError('empty_body', 'The request has no body; send a JSON object'))
        return
      }
      try {
        req.body = JSON.parse(raw.toString('utf8')) as unknown
      } catch (error) {
        next(
          new AppError('invalid_json', `The body is not valid JSON: ${(error as Error).message}`, {
            cause: error,
          }),
        )
        return
      }
      next()
    },
  ]
}
