import express, { type RequestHandler } from 'express'
import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { chain } from '../../../server/src/http/handler-chain.ts'

/** An app with one chained route and an error handler that answers the error's message. */
function appWith(...handlers: RequestHandler[]) {
  const app = express()
  app.get('/x', chain(...handlers))
  app.get('/x', (_req, res) => {
    res.send('after the chain')
  })
  app.use(((error, _req, res, _next) => {
    res.status(500).send(`error: ${(error as Error).message}`)
  }) as express.ErrorRequestHandler)
  return app
}

const mark =
  (name: string): RequestHandler =>
  (_req, res, next) => {
    res.locals.seen = [...((res.locals.seen as string[] | undefined) ?? []), name]
    next()
  }

describe('chain', () => {
  it('runs its handlers in order and then the next route', async () => {
    const app = appWith(mark('a'), mark('b'), (_req, res, next) => {
      res.setHeader('x-seen', (res.locals.seen as string[]).join(','))
      next()
    })
    const response = await request(app).get('/x').expect(200)
    expect(response.headers['x-seen']).toBe('a,b')
    expect(response.text).toBe('after the chain')
  })

  it('stops at an error passed to next, thrown, or rejected, and skips the rest', async () => {
    const never: RequestHandler = (_req, res) => {
      res.send('never')
    }
    const passed: RequestHandler = (_req, _res, next) => next(new Error('passed'))
    const thrown: RequestHandler = () => {
      throw new Error('thrown')
    }
    const rejected: RequestHandler = async () => {
      throw new Error('rejected')
    }
    for (const [handler, text] of [
      [passed, 'error: passed'],
      [thrown, 'error: thrown'],
      [rejected, 'error: rejected'],
    ] as const) {
      const response = await request(appWith(mark('a'), handler, never))
        .get('/x')
        .expect(500)
      expect(response.text).toBe(text)
    }
  })

  it('lets a handler answer and end the chain', async () => {
    const answer: RequestHandler = (_req, res) => {
      res.send('answered')
    }
    const response = await request(appWith(answer, mark('never')))
      .get('/x')
      .expect(200)
    expect(response.text).toBe('answered')
  })
})
