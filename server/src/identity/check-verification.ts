import { AppError } from '../errors/app-error.ts'
import { isValidUserHash } from './verify-user-hash.ts'

/** Identity verification settings (SPEC 3.5). */
export interface VerificationSettings {
  mode: 'off' | 'optional' | 'required'
  secret: string | undefined
}

/**
 * Checks a browser identify's user hash. Returns whether the user id is verified; throws a 401
 * when the hash is wrong, or missing while verification is required, so the call merges nothing
 * and reads nothing of that user.
 */
export function checkUserHash(
  settings: VerificationSettings,
  userId: string | undefined,
  hash: string | undefined,
): boolean {
  if (settings.mode === 'off' || settings.secret === undefined || userId === undefined) return false
  if (hash === undefined || hash === '') {
    if (settings.mode === 'optional') return false
    throw new AppError(
      'identity_verification_failed',
      'Identity verification is required: pass userHash = hex(HMAC-SHA256(secret, userId)) from your backend',
      { path: 'userHash' },
    )
  }
  if (!isValidUserHash(settings.secret, userId, hash)) {
    throw new AppError('identity_verification_failed', 'userHash does not match userId', {
      path: 'userHash',
    })
  }
  return true
}
