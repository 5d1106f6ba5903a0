import { isIP } from 'node:net'
import type { Request } from 'express'
import type { JsonObject } from '../traits/json.ts'

/**
 * The address of the person behind a call, decided here only, for rate limits and enrichment.
 * Browser traffic (`trusted: false`): the connection's address as Express sees it, `req.ip`,
 * which skips exactly the proxies `PARLEY_TRUST_PROXY` trusts, so a forged `X-Forwarded-For` or
 * `context.ip` never counts. A server key (`trusted: true`): the `context.ip` its backend passes
 * on for its user, since the backend's own address says nothing about the visitor; `undefined`
 * without a valid one.
 */
export function clientAddress(
  req: Pick<Request, 'ip'>,
  trusted: boolean,
  context?: JsonObject | null,
): string | undefined {
  if (!trusted) return req.ip === undefined || req.ip === '' ? undefined : req.ip
  const given = context?.ip
  if (typeof given !== 'string') return undefined
  const ip = given.trim()
  return isIP(ip) === 0 ? undefined : ip
}
