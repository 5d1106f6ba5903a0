import { validate, compileErrors } from '@readme/openapi-parser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { routeDocs } from '../../server/src/openapi/route-docs.ts'
import { openApiPath } from '../../server/src/openapi/build-openapi.ts'
import { createTestApp, type TestApp } from '../helpers/test-app.ts'
import { servedRoutes } from '../helpers/served-routes.ts'

type Document = {
  openapi: string
  paths: Record<string, Record<string, { security: unknown; responses: Record<string, unknown> }>>
}

const described = (document: Document) =>
  Object.entries(document.paths)
    .flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    )
    .sort()

describe('GET /openapi.json', () => {
  let t: TestApp
  let document: Document
  beforeAll(async () => {
    t = createTestApp()
    const res = await t.request().get('/openapi.json').expect(200)
    expect(res.headers['content-type']).toMatch(/^application\/json/)
    document = res.body as Document
  })
  afterAll(() => t.close())

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(document.openapi).toBe('3.1.0')
    const result = await validate(structuredClone(document) as never)
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true)
  })

  it('describes every route the app serves, and only those', () => {
    const served = servedRoutes(t.app).map((route) => openApiPath(route))
    expect(described(document)).toEqual(served)
  })

  it('leaves out the demo site in production, as the app does', async () => {
    const production = createTestApp({ NODE_ENV: 'production' })
    try {
      const res = await production.request().get('/openapi.json').expect(200)
      const served = servedRoutes(production.app).map((route) => openApiPath(route))
      expect(described(res.body as Document)).toEqual(served)
      expect(served).not.toContain('GET /pricing')
    } finally {
      await production.close()
    }
  })

  it('names the auth scheme of each route', () => {
    const security = (path: string, method: string) => document.paths[path]?.[method]?.security
    expect(security('/v1/identify', 'post')).toEqual([{ writeKey: [] }])
    expect(security('/v1/admin/profiles/lookup', 'get')).toEqual([{ adminToken: [] }])
    expect(security('/metrics', 'get')).toEqual([{ metricsToken: [] }])
    expect(security('/v1/web/identify', 'post')).toEqual([])
  })

  it('lists the error codes of a route under their status', () => {
    const responses = document.paths['/v1/batch']?.post?.responses ?? {}
    expect(Object.keys(responses)).toEqual(['200', '400', '401', '413', '415', '500', '503'])
    expect(JSON.stringify(responses['400'])).toContain('too_many_events')
    expect(JSON.stringify(responses['401'])).toContain('invalid_write_key')
  })

  it('describes the body with the zod schema the route parses', () => {
    const body = JSON.stringify(document.paths['/v1/track']?.post)
    // track's schema requires an event name of at most 400 characters.
    expect(body).toContain('"event":{"type":"string","minLength":1,"maxLength":400}')
  })

  it('gives each route one doc entry', () => {
    const keys = routeDocs.map((doc) => `${doc.method} ${doc.path}`)
    expect(new Set(keys).size).toBe(keys.length)
  })
})
