import { createHmac, timingSafeEqual } from 'node:crypto'

/** `hex(HMAC-SHA256(secret, userId))`: what the site's backend computes and passes with identify. */
export function userHash(secret: string, userId: string): string {
  return createHmac('sha256', secret).update(userId, 'utf8').digest('hex')
}

/** Constant-time check of a user hash; any malformed hash is simply wrong. */
export function isValidUserHash(secret: string, userId: string, hash: string): boolean {
  const expected = Buffer.from(userHash(secret, userId), 'utf8')
  const given = Buffer.from(hash.toLowerCase(), 'utf8')
  return expected.length === given.length && timingSafeEqual(expected, given)
}
