import { createServer, IncomingMessage, ServerResponse, type Server } from 'node:http'
import type { Express, Request, Response } from 'express'

/** The classes Node builds an app's requests and responses from. */
interface BornClasses {
  request: typeof IncomingMessage
  response: typeof ServerResponse
}

const classesOf = new WeakMap<Express, BornClasses>()

/**
 * The HTTP server for an Express app, whose requests and responses are built with the app's own
 * prototypes (`app.request`, `app.response`) from the start. Express's `app.handle` gives every
 * request and response those prototypes with `Object.setPrototypeOf`; here it finds them already
 * set, and changes nothing. On Node 20 (V8 11.3), an object whose prototype changed after it was
 * built is slow for every property access after that, in Node's HTTP code as in ours: a minimal
 * Express 5 endpoint cost 80–85 µs of CPU a request instead of 15–20 (docs/performance.md). The
 * app behaves the same either way; supertest's own server, in tests, takes the slow path.
 */
export function createAppServer(app: Express): Server {
  const born = bornClasses(app)
  return createServer({ IncomingMessage: born.request, ServerResponse: born.response }, app)
}

/** Subclasses of Node's request and response that sit under the app's prototypes, made once. */
function bornClasses(app: Express): BornClasses {
  const known = classesOf.get(app)
  if (known !== undefined) return known
  class AppRequest extends IncomingMessage {}
  class AppResponse extends ServerResponse {}
  // Each class's prototype inherits the app's (Express's methods, then Node's own), and becomes
  // the prototype Express sets: set once here, at start, never per request.
  Object.setPrototypeOf(AppRequest.prototype, app.request)
  Object.setPrototypeOf(AppResponse.prototype, app.response)
  app.request = AppRequest.prototype as unknown as Request
  app.response = AppResponse.prototype as unknown as Response
  const born = { request: AppRequest, response: AppResponse as typeof ServerResponse }
  classesOf.set(app, born)
  return born
}
