import express, { type Express, type RequestHandler } from 'express'
import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { HotRoutes } from '../../../server/src/http/hot-routes.ts'

const mark =
  (name: string): RequestHandler =>
  (_req, res, next) => {
    res.locals.seen = [...((res.locals.seen as string[] | undefined) ?? []), name]
    next()
  }

/** Answers which steps ran, and whether Express's router dispatched the route (`req.route`). */
const answer: RequestHandler = (req, res) => {
  res.json({
    seen: res.locals.seen as string[],
    routed: (req as { route?: unknown }).route !== undefined,
    route: res.locals.route as unknown,
  })
}

/** An app with hot routes behind an edge step and a scope, then a route of its own. */
function appWithHotRoutes(register?: (hot: HotRoutes) => void): Express {
  const app = express()
  const hot = new HotRoutes()
  hot.post('/v1/call', answer)
  hot.post('/v1/web/page', answer)
  hot.post('/v1/webhooks', answer)
  hot.get('/v1/lookup', answer)
  hot.options('/v1/call', (_req, res) => {
    res.status(204).setHeader('x-preflight', 'yes').end()
  })
  register?.(hot)
  hot.mount(app, {
    steps: [mark('edge')],
    scopes: [{ paths: ['/v1/web'], steps: [mark('browser')] }],
  })
  app.get('/other', mark('edge-once?'), answer)
  app.use(((error, _req, res, _next) => {
    res.status(500).json({ error: (error as Error).message })
  }) as express.ErrorRequestHandler)
  return app
}

describe('HotRoutes', () => {
  it('runs an exact method and path as one chain, without the router, the edge once', async () => {
    const res = await request(appWithHotRoutes()).post('/v1/call?x=1').send({}).expect(200)
    expect(res.body).toEqual({ seen: ['edge'], routed: false, route: '/v1/call' })
  })

  it("adds a scope's steps only to the routes under its paths", async () => {
    const app = appWithHotRoutes()
    const page = await request(app).post('/v1/web/page').send({}).expect(200)
    expect(page.body).toMatchObject({ seen: ['edge', 'browser'], routed: false })
    // `/v1/webhooks` starts with `/v1/web` but is not under it.
    const hook = await request(app).post('/v1/webhooks').send({}).expect(200)
    expect(hook.body).toMatchObject({ seen: ['edge'], routed: false })
  })

  it('answers the other spellings the router accepts through the router, behind the same edge', async () => {
    const app = appWithHotRoutes()
    for (const path of ['/v1/call/', '/V1/Call']) {
      const res = await request(app).post(path).send({}).expect(200)
      expect(res.body).toEqual({ seen: ['edge'], routed: true })
    }
    const scoped = await request(app).post('/v1/web/page/').send({}).expect(200)
    expect(scoped.body).toMatchObject({ seen: ['edge', 'browser'], routed: true })
  })

  it('leaves HEAD for a GET route, OPTIONS and other paths to the router', async () => {
    const app = appWithHotRoutes()
    const get = await request(app).get('/v1/lookup').expect(200)
    expect(get.body).toMatchObject({ seen: ['edge'], routed: false })
    const head = await request(app).head('/v1/lookup').expect(200)
    expect(head.text).toBeUndefined()
    await request(app).options('/v1/call').expect(204).expect('x-preflight', 'yes')
    const other = await request(app).get('/other').expect(200)
    expect(other.body).toMatchObject({ seen: ['edge', 'edge-once?'], routed: true })
  })

  it("passes a step's error to the app's error handler and skips the route", async () => {
    const app = appWithHotRoutes((hot) =>
      hot.post('/v1/fails', (_req, _res, next) => next(new Error('refused'))),
    )
    const res = await request(app).post('/v1/fails').send({}).expect(500)
    expect(res.body).toEqual({ error: 'refused' })
  })

  it('refuses a path pattern, which an exact match would never find', () => {
    expect(() => appWithHotRoutes((hot) => hot.get('/v1/items/:id', answer))).toThrow(
      'hot route /v1/items/:id is a pattern',
    )
  })

  it('refuses the same method and path registered twice', () => {
    expect(() => appWithHotRoutes((hot) => hot.post('/v1/call', answer))).toThrow(
      'hot route POST /v1/call is registered twice',
    )
  })
})
