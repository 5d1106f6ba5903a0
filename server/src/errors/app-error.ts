import { errorStatus, type ErrorCode } from './error-codes.ts'

/**
 * The body of every error response: `{error: {code, message, path?, details?}}`. `details`
 * carries what a client needs to act on some errors (every problem of a config, the versions
 * published in between).
 */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; path?: string; details?: Record<string, unknown> }
}

/**
 * The one error type of the container. Its HTTP status follows from its code, so a code always
 * means the same status everywhere.
 */
export class AppError extends Error {
  readonly code: ErrorCode
  readonly status: number
  readonly path: string | undefined
  readonly details: Record<string, unknown> | undefined

  constructor(
    code: ErrorCode,
    message: string,
    options: { path?: string; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'AppError'
    this.code = code
    this.status = errorStatus[code]
    this.path = options.path
    this.details = options.details
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.path === undefined ? {} : { path: this.path }),
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    }
  }
}
