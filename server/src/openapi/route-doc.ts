import type { z } from 'zod'
import type { ErrorCode } from '../errors/error-codes.ts'

/**
 * How a route authenticates: `writeKey` (Segment's Basic auth, or `writeKey` in the body),
 * `adminToken` / `metricsToken` (bearer tokens), `consoleSession` (the console's signed session
 * cookie), `none` (browser, health and file routes).
 */
export type RouteAuth = 'writeKey' | 'adminToken' | 'metricsToken' | 'consoleSession' | 'none'

/** A non-JSON answer: its content type (none for a redirect or an empty answer) and what it is. */
export interface FileAnswer {
  contentType?: string
  description: string
}

/**
 * The description of one route, as `/openapi.json` publishes it. Adding a route to the app
 * means adding one of these to `routeDocs` (`route-docs.ts`); a test fails until you do.
 */
export interface RouteDoc {
  /** `options` for a CORS preflight route. */
  method: 'get' | 'post' | 'delete' | 'options'
  /** The Express pattern the router serves: `/v1/admin/experiences/:id/report`. */
  path: string
  tag: string
  summary: string
  auth: RouteAuth
  /** The zod schema the route parses its JSON body with. */
  body?: z.ZodType
  /** The zod object the route parses its query string with. */
  query?: z.ZodObject
  /** `:name` parameters of the path, with their description. */
  params?: Record<string, string>
  /** The success answer. */
  answer: z.ZodType | FileAnswer
  /** Its status. Default: 200. */
  status?: 200 | 204 | 303
  /**
   * Codes the route itself may answer. The ones every route of its kind shares (body reading,
   * auth, browser guards, store faults) are added by `buildOpenApi`.
   */
  errors: readonly ErrorCode[]
  /** Served outside production only (the demo site). */
  demoOnly?: true
}
