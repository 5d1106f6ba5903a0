import type { ErrorRequestHandler, RequestHandler } from 'express'
import type { Logger } from '../config/logger.ts'
import { AppError } from '../errors/app-error.ts'

/** Answers every unknown route with the same JSON error shape as everything else. */
export const notFound: RequestHandler = (req, _res, next) => {
  next(new AppError('route_not_found', `No route for ${req.method} ${req.path}`))
}

/**
 * The one place errors become responses: an `AppError` answers with its code; a body-parser
 * fault with the matching code; anything else is logged and answered 500 without details.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const appError = toAppError(error)
    if (appError.status >= 500) {
      logger.error(
        {
          err: error,
          requestId: res.locals.requestId as unknown,
          method: req.method,
          path: req.path,
        },
        'request failed',
      )
    }
    if (res.headersSent) return
    res.status(appError.status).json(appError.toBody())
  }
}

function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error
  const type = (error as { type?: unknown }).type
  if (type === 'entity.too.large') {
    const limit = (error as { limit?: unknown }).limit
    return new AppError('payload_too_large', `The body is larger than ${String(limit)} bytes`, {
      cause: error,
    })
  }
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return new AppError('unsupported_media_type', (error as Error).message, { cause: error })
  }
  if (
    type === 'request.aborted' ||
    type === 'request.size.invalid' ||
    type === 'stream.encoding.set'
  ) {
    return new AppError('invalid_json', 'The body was cut short', { cause: error })
  }
  // A compressed body that does not decompress: body-parser passes the zlib or brotli error on
  // with status 400; other client faults Express reports (a malformed URL escape) keep theirs.
  const { status, expose, errno } = error as { status?: unknown; expose?: unknown; errno?: unknown }
  if (expose === true && typeof status === 'number' && status >= 400 && status < 500) {
    if (typeof errno === 'number') {
      return new AppError('invalid_encoding', 'The body does not match its Content-Encoding', {
        path: 'content-encoding',
        cause: error,
      })
    }
    return new AppError('invalid_request', (error as Error).message, { cause: error })
  }
  return new AppError('internal_error', 'Something went wrong; the call was not stored', {
    cause: error,
  })
}
