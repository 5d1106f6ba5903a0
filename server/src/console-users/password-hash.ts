import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'

/** The shortest password `parley user add` accepts. */
export const minimumPasswordLength = 12

/**
 * scrypt's cost: N = 2^15, r = 8, p = 1 (OWASP's minimum), a 16-byte salt and a 32-byte key.
 * About 50 ms and 32 MiB a hash, off the event loop (libuv's thread pool).
 */
const cost = { N: 2 ** 15, r: 8, p: 1 } as const
const keyBytes = 32
const saltBytes = 16
/** Stored costs above this are refused rather than run: a forged row must not exhaust memory. */
const maxN = 2 ** 20

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize('NFC'),
      salt,
      keyBytes,
      { ...options, maxmem: 256 * (options.N ?? cost.N) * (options.r ?? cost.r) + 1_048_576 },
      (error, key) => (error === null ? resolve(key) : reject(error)),
    )
  })
}

/** Hashes a password as `scrypt$N$r$p$salt$key` (base64url), with a fresh random salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(saltBytes)
  const key = await derive(password, salt, cost)
  return [
    'scrypt',
    cost.N,
    cost.r,
    cost.p,
    salt.toString('base64url'),
    key.toString('base64url'),
  ].join('$')
}

/**
 * Whether `password` is the one `stored` was made from, compared in constant time. A malformed
 * hash is never a match. With `stored` undefined (no such user) a hash is still computed, so
 * the answer takes as long whether or not the name exists.
 */
export async function verifyPassword(
  password: string,
  stored: string | undefined,
): Promise<boolean> {
  const parsed = parse(stored ?? '')
  if (parsed === undefined) {
    await derive(password, dummySalt, cost)
    return false
  }
  const key = await derive(password, parsed.salt, parsed.options)
  return key.length === parsed.key.length && timingSafeEqual(key, parsed.key)
}

const dummySalt = randomBytes(saltBytes)

function parse(stored: string): { options: ScryptOptions; salt: Buffer; key: Buffer } | undefined {
  const [scheme, n, r, p, salt, key, ...rest] = stored.split('$')
  if (scheme !== 'scrypt' || rest.length > 0 || salt === undefined || key === undefined)
    return undefined
  const [N, R, P] = [Number(n), Number(r), Number(p)]
  const valid =
    Number.isInteger(N) &&
    N > 1 &&
    N <= maxN &&
    (N & (N - 1)) === 0 &&
    Number.isInteger(R) &&
    R >= 1 &&
    R <= 32 &&
    Number.isInteger(P) &&
    P >= 1 &&
    P <= 16
  if (!valid) return undefined
  const keyBuffer = Buffer.from(key, 'base64url')
  if (keyBuffer.length === 0) return undefined
  return { options: { N, r: R, p: P }, salt: Buffer.from(salt, 'base64url'), key: keyBuffer }
}
