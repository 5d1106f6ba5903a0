import type { RequestHandler } from 'express'
import type { CallType } from '../contract/event-schemas.ts'
import { limits } from '../contract/limits.ts'
import { answerBrowserCall, ingestBrowserCall, readBrowserCall } from '../browser/browser-call.ts'
import { readAnonymousCookie } from '../http/anonymous-cookie.ts'
import { visitorRateLimit } from '../http/browser-guard.ts'
import { chain } from '../http/handler-chain.ts'
import type { RouteTarget } from '../http/hot-routes.ts'
import { jsonBody } from '../http/json-body.ts'
import { withWarnings } from '../pipeline/warnings.ts'
import type { PersonalizeDeps } from './personalize-routes.ts'

const browserTypes: readonly Exclude<CallType, 'alias'>[] = ['identify', 'page', 'track', 'group']

/**
 * Endpoints for the browser client (`/v1/web/identify|page|track|group`). No write key: they are
 * served on the site's own domain. The device is known by the body's anonymous id, else the
 * signed cookie, else a new one; every answer (re)sets the cookie and returns the ids to use.
 * Identify, page and group answers also carry the payload (`segments`, `experiences`) for the
 * profile as it is after the call, so the page can personalise right after a login.
 * Registered as hot routes (`router`, see hot-routes.ts): these are the hot paths.
 */
export function browserRoutes(router: RouteTarget, deps: PersonalizeDeps): void {
  const perVisitor = visitorRateLimit(deps)

  for (const type of browserTypes) {
    const answer: RequestHandler = async (req, res) => {
      const read = await readBrowserCall(deps, type, req.body, req, {
        source: 'browser',
        path: '',
        fallbackAnonymousId: readAnonymousCookie(req, deps.config.cookieSecrets) ?? deps.newId(),
      })
      const result = await ingestBrowserCall(deps, read)
      const fields = await answerBrowserCall(deps, read, result, req, res)
      res.json(withWarnings(fields, result.warnings))
    }
    router.post(`/v1/web/${type}`, chain(...jsonBody(limits.callBytes), perVisitor, answer))
  }
}
