import { ApiError } from './api.ts'

/** A failed call as a sentence for the page. */
export function failure(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'console_session_required') {
      return 'Your session has ended: sign in again (your draft is kept in this browser).'
    }
    return error.message
  }
  return 'Something went wrong; try again.'
}
