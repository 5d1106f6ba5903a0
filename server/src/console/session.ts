import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Request, Response } from 'express'
import type { Person } from '../console-users/manage-users.ts'

/** Name of the console's session cookie. */
export const sessionCookie = 'parley_console'

/** How long a console session lasts. Default: 8 hours. */
export const sessionMs = 8 * 3_600_000

/** A signed-in console session. */
export interface Session {
  id: string
  expiresAt: number
  /** Goes in every form (and the API's `X-CSRF-Token` header); a change without it is refused. */
  csrf: string
  /**
   * A person's session: their name and the stamp of their password (`userStamp`), checked
   * against the store on every request. Absent: the operator's (signed in with the admin token).
   */
  user?: { name: string; stamp: string }
  /** Who it is, once the console checked the session against the store. */
  person?: Person
}

/**
 * Console sessions as signed cookies, so every instance behind a load balancer accepts them:
 * `v1.<expiry>.<id>.<hmac>` for the operator (the admin token), `v2.<expiry>.<id>.<name>.<stamp>.<hmac>`
 * for a person (name in base64url). The signing key is derived from the cookie secret and the
 * admin token: rotating the admin token ends every session. Sign-out clears the cookie and
 * revokes the id in this process; removing a person or changing their password ends theirs
 * everywhere (the stamp no longer matches).
 */
export class Sessions {
  readonly #key: Buffer
  readonly #revoked = new Map<string, number>()
  readonly #clock: () => number

  constructor(cookieSecret: string, adminToken: string, clock: () => number) {
    this.#key = createHmac('sha256', cookieSecret).update(`console:${adminToken}`).digest()
    this.#clock = clock
  }

  /**
   * Starts a session and sets its cookie (HttpOnly, SameSite=Strict, Secure over https): a
   * person's with `user`, else the operator's.
   */
  start(req: Request, res: Response, user?: { name: string; stamp: string }): Session {
    const id = randomBytes(18).toString('base64url')
    const expiresAt = this.#clock() + sessionMs
    const body =
      user === undefined
        ? `v1.${expiresAt}.${id}`
        : `v2.${expiresAt}.${id}.${Buffer.from(user.name).toString('base64url')}.${user.stamp}`
    res.cookie(sessionCookie, `${body}.${this.#sign(body)}`, {
      httpOnly: true,
      sameSite: 'strict',
      secure: req.secure,
      path: '/console',
      maxAge: sessionMs,
    })
    return {
      id,
      expiresAt,
      csrf: this.#sign(`csrf:${id}`),
      ...(user === undefined ? {} : { user }),
    }
  }

  /**
   * The session a request's cookie names, or `undefined` when it has none, or a bad, expired or
   * revoked one. A person's session must still be checked against the store (`user`).
   */
  read(req: Request): Session | undefined {
    const raw = cookieValue(req.headers.cookie, sessionCookie)
    const parts = raw?.split('.') ?? []
    const version = parts[0]
    if (!((version === 'v1' && parts.length === 4) || (version === 'v2' && parts.length === 6))) {
      return undefined
    }
    const mac = parts.at(-1) ?? ''
    if (!same(mac, this.#sign(parts.slice(0, -1).join('.')))) return undefined
    const [, expiry = '', id = '', name = '', stamp = ''] = parts
    const expiresAt = Number(expiry)
    const now = this.#clock()
    if (!Number.isFinite(expiresAt) || expiresAt <= now || this.#revoked.has(id)) return undefined
    const session: Session = { id, expiresAt, csrf: this.#sign(`csrf:${id}`) }
    if (version === 'v2') session.user = { name: Buffer.from(name, 'base64url').toString(), stamp }
    return session
  }

  /** Whether `given` is this session's CSRF token. */
  checkCsrf(session: Session, given: unknown): boolean {
    return typeof given === 'string' && same(given, session.csrf)
  }

  /** Ends a session: the cookie is cleared and the id refused by this process until it expires. */
  end(req: Request, res: Response, session: Session | undefined): void {
    if (session !== undefined) {
      const now = this.#clock()
      for (const [id, until] of this.#revoked) if (until <= now) this.#revoked.delete(id)
      this.#revoked.set(session.id, session.expiresAt)
    }
    res.clearCookie(sessionCookie, {
      httpOnly: true,
      sameSite: 'strict',
      secure: req.secure,
      path: '/console',
    })
  }

  #sign(text: string): string {
    return createHmac('sha256', this.#key).update(text).digest('base64url')
  }
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** One cookie's value from a `Cookie` header (no parser needed for one name). */
function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim())
      } catch {
        return undefined // a malformed cookie is no session, not an error
      }
    }
  }
  return undefined
}
