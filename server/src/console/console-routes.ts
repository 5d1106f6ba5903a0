import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import express, {
  Router,
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express'
import type { AppDeps } from '../app-deps.ts'
import { sendAsset } from '../client-assets/send-asset.ts'
import { staticAsset } from '../client-assets/static-asset.ts'
import { AppError } from '../errors/app-error.ts'
import { errorStatus } from '../errors/error-codes.ts'
import { sameSecret } from '../http/credentials.ts'
import type { ConsoleUser } from '../console-users/console-user.ts'
import { authenticate, operator, userStamp } from '../console-users/manage-users.ts'
import type { Personalizer } from '../personalization/personalizer.ts'
import { html, type SafeHtml } from './html.ts'
import { page } from './layout.ts'
import { signInPage } from './pages/other-pages.ts'
import { Sessions, type Session } from './session.ts'
import { consolePages } from './console-pages.ts'
import { consoleApiRoutes } from './api/console-api-routes.ts'
import { authoringPages } from './authoring-pages.ts'
import { editorScript, editorScriptPath } from './editor-assets.ts'
import type { LiveConfig } from '../config-versions/live-config.ts'

/** Dependencies of the console: the app's, with the personaliser and live config resolved. */
export type ConsoleDeps = AppDeps & { personalization: Personalizer; liveConfig: LiveConfig }

/**
 * The console's CSP: its own stylesheet, no script at all, forms only to itself. The editor's
 * pages replace it with `editorCsp`, which adds the console's own script.
 */
const consoleCsp =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'"

/** Failed sign-ins per client address per minute before `429 rate_limited`. Default: 10. */
export const signInAttemptsPerMinute = 10

/**
 * The console at `/console`: server-rendered pages, signed session cookies, CSRF tokens on every
 * change, a strict CSP. Served in production too. Every page but sign-in needs a session: a page
 * without one is sent to sign-in (303), a change is refused (401). A person signs in with their
 * name and password, the operator with the admin token (an editor's rights).
 */
export function consoleRoutes(deps: ConsoleDeps): Router {
  const router = Router()
  const sessions = new Sessions(
    deps.config.cookieSecrets[0] ?? '',
    deps.config.adminToken,
    deps.clock,
  )
  const css = staticAsset(
    readFileSync(resolve(import.meta.dirname, 'console.css'), 'utf8'),
    'text/css; charset=utf-8',
  )
  const failures = new Map<string, { count: number; since: number }>()

  router.use('/console', (_req, res, next) => {
    res.set({ 'Content-Security-Policy': consoleCsp, 'Cross-Origin-Opener-Policy': 'same-origin' })
    next()
  })
  router.get('/console/assets/console.css', (req, res) => sendAsset(req, res, css, 'revalidate'))
  router.get(editorScriptPath, (req, res) => sendAsset(req, res, editorScript(), 'revalidate'))
  router.use('/console', sameOrigin, express.urlencoded({ extended: false, limit: '64kb' }))

  router.get('/console/sign-in', (req, res) => {
    if (sessions.read(req) !== undefined) return res.redirect(303, '/console/experiences')
    send(res, 200, page({ title: 'Sign in', session: undefined, body: signInPage(undefined) }))
  })

  router.post('/console/sign-in', async (req, res) => {
    const ip = req.ip ?? ''
    const now = deps.clock()
    const seen = failures.get(ip)
    if (seen !== undefined && now - seen.since < 60_000 && seen.count >= signInAttemptsPerMinute) {
      res.set('Retry-After', String(Math.ceil((seen.since + 60_000 - now) / 1000)))
      return send(
        res,
        429,
        page({
          title: 'Sign in',
          session: undefined,
          body: signInPage('Too many attempts: wait a minute and try again.'),
        }),
      )
    }
    const form = (req.body ?? {}) as Record<string, unknown>
    const field = (name: string) => (typeof form[name] === 'string' ? form[name] : '')
    const [token, name, password] = [field('token'), field('name').trim(), field('password')]
    let refusal: string | undefined
    let user: ConsoleUser | undefined
    if (token !== '') {
      if (!sameSecret(token, deps.config.adminToken)) refusal = 'That is not the admin token.'
    } else if (name !== '' && password !== '') {
      user = await deps.store.read((reader) => authenticate(reader, name, password))
      if (user === undefined) refusal = 'That user name and password do not match.'
    } else {
      refusal = 'Enter your user name and password, or the admin token.'
    }
    if (refusal !== undefined) {
      const fresh = seen === undefined || now - seen.since >= 60_000
      failures.set(ip, {
        count: fresh ? 1 : (seen?.count ?? 0) + 1,
        since: fresh ? now : (seen?.since ?? now),
      })
      deps.logger.warn({ ip }, 'console sign-in refused')
      return send(
        res,
        401,
        page({ title: 'Sign in', session: undefined, body: signInPage(refusal) }),
      )
    }
    failures.delete(ip)
    sessions.start(
      req,
      res,
      user === undefined ? undefined : { name: user.name, stamp: userStamp(user) },
    )
    deps.logger.info({ ip, user: user?.name ?? operator.name }, 'console sign-in')
    res.redirect(303, '/console/experiences')
  })

  // Everything below needs a session. The JSON API (`/console/api/…`) answers its refusals as
  // JSON errors; the pages answer with pages.
  router.use('/console', async (req, res, next) => {
    const api = isApi(req)
    const session = await checkSession(deps, sessions.read(req))
    if (session === undefined) {
      if (api) {
        return next(
          new AppError(
            'console_session_required',
            'Sign in to the console first (/console/sign-in)',
          ),
        )
      }
      if (req.method === 'GET' || req.method === 'HEAD')
        return res.redirect(303, '/console/sign-in')
      return send(
        res,
        401,
        page({
          title: 'Signed out',
          session: undefined,
          body: html`<p>Your session has ended. <a href="/console/sign-in">Sign in</a> again.</p>`,
        }),
      )
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const given =
        req.get('x-csrf-token') ?? (req.body as Record<string, unknown> | undefined)?._csrf
      if (!sessions.checkCsrf(session, given)) {
        if (api) {
          return next(
            new AppError(
              'invalid_csrf_token',
              "A change needs this session's CSRF token in the X-CSRF-Token header (GET /console/api/me gives it)",
              { path: 'headers.x-csrf-token' },
            ),
          )
        }
        return send(
          res,
          403,
          page({
            title: 'Refused',
            session,
            body: html`<p>This form has expired. Go back, reload the page and try again.</p>`,
          }),
        )
      }
    }
    res.locals.session = session
    next()
  })

  router.post('/console/sign-out', (req, res) => {
    sessions.end(req, res, res.locals.session as Session)
    res.redirect(303, '/console/sign-in')
  })

  router.use(consoleApiRoutes(deps))
  router.use(authoringPages(deps))
  router.use(consolePages(deps))
  router.use('/console', ((error: unknown, req: Request, res: Response, next: NextFunction) => {
    // The API's errors, and faults, go to the app's JSON error handler.
    if (isApi(req) || !(error instanceof AppError) || errorStatus[error.code] >= 500) {
      return next(error)
    }
    const session = res.locals.session as Session | undefined
    const status = errorStatus[error.code]
    const title = status === 404 ? 'Not found' : status === 400 ? 'Check the request' : 'Refused'
    send(
      res,
      status,
      page({
        title,
        session,
        body: html`<p>${error.message} (<code>${error.code}</code>).</p>
          <p><a href="/console">Back to the console</a></p>`,
      }),
    )
  }) as express.ErrorRequestHandler)
  return router
}

/** Whether a request is for the console's JSON API (`/console/api/…`). */
function isApi(req: Request): boolean {
  return req.originalUrl.startsWith('/console/api/') || req.originalUrl === '/console/api'
}

/**
 * The signed session with the person it belongs to: the operator for the admin token's, or a
 * console user still in the store with the same password (else no session: removing a person or
 * changing their password ends their sessions at once, on every instance).
 */
async function checkSession(
  deps: ConsoleDeps,
  session: Session | undefined,
): Promise<Session | undefined> {
  if (session === undefined) return undefined
  const signed = session.user
  if (signed === undefined) return { ...session, person: operator }
  const user = await deps.store.read((reader) => reader.consoleUser(signed.name))
  if (user === undefined || userStamp(user) !== signed.stamp) return undefined
  return { ...session, person: { name: user.name, role: user.role, kind: 'user' } }
}

/** Sends a rendered page. */
export function send(res: Response, status: number, body: SafeHtml): void {
  res.status(status).type('html').send(body.value)
}

/**
 * A change must come from the console's own origin: browsers send `Origin` on every form POST,
 * and a cross-site one is refused before the session is even read (SameSite=Strict is the
 * second lock, the CSRF token the third).
 */
const sameOrigin: RequestHandler = (req, _res, next) => {
  if (req.method === 'GET' || req.method === 'HEAD') return next()
  const origin = req.get('origin')
  // The host only: behind a TLS proxy the container may see http while the browser says https.
  if (origin !== undefined && hostOf(origin) !== req.get('host')) {
    return next(
      new AppError('origin_not_allowed', 'Console changes must come from the console', {
        path: 'headers.origin',
      }),
    )
  }
  next()
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host
  } catch {
    return undefined // `null` (an opaque origin) or garbage: never the console's
  }
}
