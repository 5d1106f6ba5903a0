import { randomUUID } from 'node:crypto'
import type { Request, RequestHandler, Response } from 'express'
import type { Logger } from '../config/logger.ts'
import type { Metrics } from './metrics.ts'

const usableRequestId = /^[\w.:-]{1,64}$/

/**
 * Gives every request an id (the caller's `X-Request-Id` when it is short and plain, else a new
 * UUID), echoes it in the answer, and when the answer ends counts it in the metrics and logs one
 * line: method, route pattern, status and duration. Never the URL (its query may name a user),
 * never a body: logs hold no emails and no trait values. 4xx and 5xx log at `info`, the rest at
 * `debug`.
 */
export function requestObserver(logger: Logger, metrics: Metrics): RequestHandler {
  const count = answerCounter(metrics)
  // Made once, not per request: it finds the request through `this` and `res.locals`.
  function answered(this: Response): void {
    const req = this.req
    const { requestId, started } = this.locals as { requestId: string; started: bigint }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    const route = routeLabel(req, this)
    // 499: the client went away before the answer was complete (nginx's convention).
    const status = this.writableFinished ? this.statusCode : 499
    count(req.method, route, status, seconds)
    const line = {
      requestId,
      method: req.method,
      route,
      status,
      durationMs: Math.round(seconds * 1e4) / 10,
    }
    if (status >= 400) logger.info(line, 'request answered')
    else logger.debug(line, 'request answered')
  }
  return (req, res, next) => {
    const given = req.headers['x-request-id']
    const requestId =
      typeof given === 'string' && usableRequestId.test(given) ? given : randomUUID()
    res.locals.requestId = requestId
    res.locals.started = process.hrtime.bigint()
    res.setHeader('X-Request-Id', requestId)
    // An answer emits 'close' once, when it is complete or its connection went away (then it is
    // not finished): one listener sees both.
    res.on('close', answered)
    next()
  }
}

/**
 * Counts an answer and its duration, through the labelled children of each method, route and
 * status (a handful): looking a child up by its labels on every request is most of the cost of
 * a prom-client counter.
 */
function answerCounter(
  metrics: Metrics,
): (method: string, route: string, status: number, seconds: number) => void {
  const children = new Map<
    string,
    {
      requests: ReturnType<Metrics['httpRequests']['labels']>
      duration: ReturnType<Metrics['httpDuration']['labels']>
    }
  >()
  return (method, route, status, seconds) => {
    const key = `${method} ${route} ${status}`
    let child = children.get(key)
    if (child === undefined) {
      child = {
        requests: metrics.httpRequests.labels({ method, route, status: String(status) }),
        duration: metrics.httpDuration.labels({ method, route }),
      }
      children.set(key, child)
    }
    child.requests.inc()
    child.duration.observe(seconds)
  }
}

/**
 * Names the route pattern that answers a request the router does not dispatch (the hot routes,
 * see hot-routes.ts), for its metrics and log line.
 */
export function nameRoute(res: Response, pattern: string): void {
  res.locals.route = pattern
}

/**
 * The route pattern that answered (`/v1/web/identify`), never the raw path, so labels stay few;
 * `unrouted` when no route matched or an edge guard answered first.
 */
function routeLabel(req: Request, res: Response): string {
  const named: unknown = res.locals.route
  if (typeof named === 'string') return named
  const route = (req as { route?: { path?: unknown } }).route
  return typeof route?.path === 'string' ? `${req.baseUrl}${route.path}` : 'unrouted'
}

/** Counts the warnings an answer's body carries (the app's JSON answers call it). */
export function countWarnings(metrics: Metrics, body: unknown): void {
  if (typeof body !== 'object' || body === null || !('warnings' in body)) return
  const warnings = (body as { warnings?: unknown }).warnings
  if (!Array.isArray(warnings)) return
  for (const warning of warnings as unknown[]) {
    const code = (warning as { code?: unknown } | null)?.code
    if (typeof code === 'string') metrics.warnings.inc({ code })
  }
}
