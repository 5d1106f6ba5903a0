import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { AppError } from '../../../server/src/errors/app-error.ts'
import { checkUserHash } from '../../../server/src/identity/check-verification.ts'
import { isValidUserHash, userHash } from '../../../server/src/identity/verify-user-hash.ts'

const secret = 'site-secret-0123456789'

describe('user hash', () => {
  it('is hex(HMAC-SHA256(secret, userId)), as a site backend computes it', () => {
    expect(userHash(secret, 'u1')).toBe(createHmac('sha256', secret).update('u1').digest('hex'))
  })

  it('accepts the right hash in either case and refuses any other', () => {
    expect(isValidUserHash(secret, 'u1', userHash(secret, 'u1').toUpperCase())).toBe(true)
    expect(isValidUserHash(secret, 'u1', userHash(secret, 'u2'))).toBe(false)
    expect(isValidUserHash(secret, 'u1', 'short')).toBe(false)
  })
})

describe('checkUserHash', () => {
  const required = { mode: 'required' as const, secret }
  it('verifies a correct hash', () => {
    expect(checkUserHash(required, 'u1', userHash(secret, 'u1'))).toBe(true)
  })

  it('refuses a missing hash when verification is required', () => {
    expect(() => checkUserHash(required, 'u1', undefined)).toThrow(AppError)
  })

  it('refuses a wrong hash even when verification is optional', () => {
    expect(() => checkUserHash({ mode: 'optional', secret }, 'u1', 'ab'.repeat(32))).toThrow(
      /does not match/,
    )
    expect(checkUserHash({ mode: 'optional', secret }, 'u1', undefined)).toBe(false)
  })

  it('needs nothing for anonymous calls or with verification off', () => {
    expect(checkUserHash(required, undefined, undefined)).toBe(false)
    expect(checkUserHash({ mode: 'off', secret: undefined }, 'u1', undefined)).toBe(false)
  })
})
