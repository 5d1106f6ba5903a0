import { errorStatus, type ErrorCode } from './error-codes.ts'

/** The body of every error response: `{error: {code, message, path?}}`. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; path?: string }
}

/**
 * The one error type of the container. Its HTTP status follows from its code, so a code always
 * means the same status everywhere.
 */
export class AppError extends Error {
  readonly code: ErrorCode
  readonly status: number
  readonly path: string | undefined

  constructor(code: ErrorCode, message: string, options: { path?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'AppError'
    this.code = code
    this.status = errorStatus[code]
    this.path = options.path
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.path === undefined ? {} : { path: this.path }),
      },
    }
  }
}
