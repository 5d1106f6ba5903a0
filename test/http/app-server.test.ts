import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express, { type Express } from 'express'
import { afterEach, describe, expect, it } from 'vitest'
import { createAppServer } from '../../server/src/http/app-server.ts'
import { anonymousCookieName } from '../../server/src/http/anonymous-cookie.ts'
import { buildApp, type BuiltApp } from '../helpers/build-app.ts'

let servers: Server[] = []
let built: BuiltApp | undefined
afterEach(async () => {
  await Promise.all(servers.map((server) => new Promise((done) => server.close(done))))
  servers = []
  await built?.close()
  built = undefined
})

async function listening(server: Server): Promise<string> {
  servers.push(server)
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** Whether each request reached Node's first `request` listener already with the app's prototypes. */
function recordBirth(server: Server, app: Express): boolean[] {
  const born: boolean[] = []
  server.prependListener('request', (req, res) => {
    born.push(
      Object.getPrototypeOf(req) === app.request && Object.getPrototypeOf(res) === app.response,
    )
  })
  return born
}

describe('createAppServer', () => {
  it("builds each request and response with the app's prototypes, so Express changes none", async () => {
    const app = express()
    app.get('/x', (req, res) => {
      res.json({ query: req.query, host: req.get('host') === undefined ? 'none' : 'some' })
    })
    const server = createAppServer(app)
    const born = recordBirth(server, app)
    const base = await listening(server)
    const res = await fetch(`${base}/x?a=1`)
    expect(await res.json()).toEqual({ query: { a: '1' }, host: 'some' })
    expect(born).toEqual([true])

    // The plain server Express's own `listen` makes does not: Express sets them per request.
    const plain = createServer(app)
    const plainBorn = recordBirth(plain, app)
    await (await fetch(`${await listening(plain)}/x`)).json()
    expect(plainBorn).toEqual([false])
  })

  it('serves the container the same as before: cookie, JSON answer, headers and errors', async () => {
    built = buildApp()
    const server = createAppServer(built.app)
    const born = recordBirth(server, built.app)
    const base = await listening(server)
    // Served twice from the same app: the classes are made once.
    const again = await listening(createAppServer(built.app))

    const page = await fetch(`${base}/v1/web/page`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ anonymousId: 'born-1', properties: { path: '/pricing' } }),
    })
    expect(page.status).toBe(200)
    expect(await page.json()).toMatchObject({ anonymousId: 'born-1' })
    expect(page.headers.get('set-cookie')).toContain(`${anonymousCookieName}=`)
    expect(page.headers.get('x-content-type-options')).toBe('nosniff')
    expect(page.headers.get('x-request-id')).toMatch(/^[\w.:-]+$/)

    const bad = await fetch(`${again}/v1/web/page`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    })
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({ error: { code: 'invalid_json' } })
    expect(born).toEqual([true])
  })
})
