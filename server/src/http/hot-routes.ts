import type { IRouter, RequestHandler } from 'express'
import { nameRoute } from '../observability/request-observer.ts'
import { chain } from './handler-chain.ts'

/** Where a route module registers its routes: the app's router, or the hot routes before it. */
export interface RouteTarget {
  get(path: string, handler: RequestHandler): void
  post(path: string, handler: RequestHandler): void
  options(path: string, handler: RequestHandler): void
}

/** Steps that run before the routes of every path under one of `paths` (as `app.use(paths)`). */
export interface EdgeScope {
  paths: readonly string[]
  steps: readonly RequestHandler[]
}

/** The steps every request takes before its route, and those of some paths only. */
export interface Edge {
  steps: readonly RequestHandler[]
  scopes: readonly EdgeScope[]
}

interface HotRoute {
  method: 'GET' | 'POST' | 'OPTIONS'
  path: string
  handler: RequestHandler
}

/**
 * The hot routes (personalize, the tracking calls, the profile lookup) in front of Express's
 * router. A request whose method and path (query aside) are exactly a route's runs the edge's
 * steps and the route's handler as one chain (see handler-chain.ts), and enters no other router
 * layer: 3–7 % less CPU a request on each hot path (docs/performance.md, "Hot routes skip the
 * router"). Paths are exact: a pattern (`:id`, `*`) is refused, as it would never match. Every
 * route is also registered on the router, behind the same edge, so
 * whatever else the router accepts keeps working unchanged: a trailing slash, other letter case,
 * `HEAD` for a `GET`. `OPTIONS` routes (preflights, rare) are registered on the router only.
 */
export class HotRoutes implements RouteTarget {
  readonly #routes: HotRoute[] = []

  get(path: string, handler: RequestHandler): void {
    this.#routes.push({ method: 'GET', path, handler })
  }

  post(path: string, handler: RequestHandler): void {
    this.#routes.push({ method: 'POST', path, handler })
  }

  options(path: string, handler: RequestHandler): void {
    this.#routes.push({ method: 'OPTIONS', path, handler })
  }

  /**
   * Mounts on `app`, in this order: the exact dispatch of the hot routes, the edge's steps for
   * every request and each scope's for its paths, then every route on the router. Routes that
   * `app` gets later come after all of it.
   */
  mount(app: IRouter, edge: Edge): void {
    // By method, then path: a request's lookup builds no key string.
    const exact = new Map<string, Map<string, RequestHandler>>()
    for (const route of this.#routes) {
      if (route.method === 'OPTIONS') continue
      if (/[:*?()[\]{}]/.test(route.path)) {
        throw new Error(`hot route ${route.path} is a pattern; hot routes take exact paths`)
      }
      const paths = exact.get(route.method) ?? new Map<string, RequestHandler>()
      exact.set(route.method, paths)
      if (paths.has(route.path)) {
        throw new Error(`hot route ${route.method} ${route.path} is registered twice`)
      }
      const scoped = edge.scopes.filter((scope) => scope.paths.some((p) => isUnder(route.path, p)))
      // Named where the router would set `req.route`: after the edge, so a request an edge
      // guard answers stays `unrouted` in the metrics, as before.
      const named: RequestHandler = (_req, res, next) => {
        nameRoute(res, route.path)
        next()
      }
      paths.set(
        route.path,
        chain(...edge.steps, ...scoped.flatMap((scope) => scope.steps), named, route.handler),
      )
    }
    app.use((req, res, next) => {
      const url = req.url
      const query = url.indexOf('?')
      const handler = exact.get(req.method)?.get(query < 0 ? url : url.slice(0, query))
      if (handler === undefined) next()
      else handler(req, res, next)
    })
    app.use(chain(...edge.steps))
    for (const scope of edge.scopes) app.use([...scope.paths], chain(...scope.steps))
    for (const route of this.#routes) {
      if (route.method === 'GET') app.get(route.path, route.handler)
      else if (route.method === 'POST') app.post(route.path, route.handler)
      else app.options(route.path, route.handler)
    }
  }
}

/** Whether `path` is `base` or below it, as `app.use(base)` matches it. */
function isUnder(path: string, base: string): boolean {
  return path === base || path.startsWith(base.endsWith('/') ? base : `${base}/`)
}
