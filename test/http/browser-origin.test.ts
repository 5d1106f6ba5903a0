import request from 'supertest'
import { afterEach, describe, expect, it } from 'vitest'
import { normalizeAllowedOrigin } from '../../server/src/config/allowed-origins.ts'
import { loadConfig } from '../../server/src/config/env.ts'
import { originMatcher } from '../../server/src/http/origin-check.ts'
import { auth, buildApp, type BuiltApp } from '../helpers/build-app.ts'

describe('normalizeAllowedOrigin', () => {
  it('keeps exact origins and subdomain patterns, lower-cased, default ports dropped', () => {
    expect(normalizeAllowedOrigin('https://WWW.Example.com/')).toBe('https://www.example.com')
    expect(normalizeAllowedOrigin('https://example.com:443')).toBe('https://example.com')
    expect(normalizeAllowedOrigin('http://localhost:3000')).toBe('http://localhost:3000')
    expect(normalizeAllowedOrigin('https://*.example.com')).toBe('https://*.example.com')
    expect(normalizeAllowedOrigin('*')).toBe('*')
  })

  it('refuses paths, bare hosts, other schemes and stray wildcards', () => {
    for (const bad of [
      'example.com',
      'https://example.com/path',
      'ftp://example.com',
      'https://*example.com',
      'https://a.*.example.com',
      'https://.example.com',
      'null',
    ]) {
      expect(normalizeAllowedOrigin(bad), bad).toBeUndefined()
    }
  })

  it('makes the config name a bad PARLEY_ALLOWED_ORIGINS entry', () => {
    expect(() => loadConfig({ PARLEY_ALLOWED_ORIGINS: 'https://ok.com, nope' })).toThrow(
      /PARLEY_ALLOWED_ORIGINS.*"nope"/s,
    )
  })

  it('defaults to no other origin in production and to any origin elsewhere, said loudly', () => {
    const production = loadConfig({
      NODE_ENV: 'production',
      PARLEY_COOKIE_SECRET: 'x'.repeat(32),
      PARLEY_ADMIN_TOKEN: 'y'.repeat(16),
      PARLEY_WRITE_KEYS: 'k',
    })
    expect(production.allowedOrigins).toEqual([])
    const development = loadConfig({})
    expect(development.allowedOrigins).toEqual(['*'])
    expect(development.demoDefaults).toContain('PARLEY_ALLOWED_ORIGINS')
  })
})

describe('originMatcher', () => {
  const matches = originMatcher(['https://www.example.com', 'https://*.example.org'])
  it('matches exact origins and any-depth subdomains of a pattern', () => {
    expect(matches('https://www.example.com')).toBe(true)
    expect(matches('https://WWW.EXAMPLE.COM')).toBe(true)
    expect(matches('https://shop.example.org')).toBe(true)
    expect(matches('https://a.b.example.org')).toBe(true)
  })
  it('does not match look-alikes, other schemes, ports or the bare pattern domain', () => {
    expect(matches('http://www.example.com')).toBe(false)
    expect(matches('https://www.example.com:8443')).toBe(false)
    expect(matches('https://example.org')).toBe(false)
    expect(matches('https://evilexample.org')).toBe(false)
    expect(matches('https://shop.example.org.evil.com')).toBe(false)
    expect(matches('null')).toBe(false)
  })
  it('matches everything with *', () => {
    expect(originMatcher(['*'])('https://anything.test')).toBe(true)
  })
})

describe('browser endpoints: Origin allow-list and CORS', () => {
  let built: BuiltApp
  afterEach(async () => {
    await built.close()
  })
  const allowed = 'https://www.example.com'
  const setup = () => {
    built = buildApp({ PARLEY_ALLOWED_ORIGINS: `${allowed},https://*.example.org` })
    return built.app
  }
  const lookup = (anonymousId: string) =>
    request(built.app)
      .get(`/v1/admin/profiles/lookup?anonymousId=${anonymousId}`)
      .set('Authorization', auth.admin)

  it('refuses a write from another site, as JSON, text/plain or sendBeacon, and stores nothing', async () => {
    const app = setup()
    for (const type of ['application/json', 'text/plain;charset=UTF-8']) {
      const res = await request(app)
        .post('/v1/web/identify')
        .set('Origin', 'https://evil.test')
        .set('Content-Type', type)
        .send(JSON.stringify({ anonymousId: 'victim-device', traits: { plan: 'owned' } }))
        .expect(403)
      expect(res.body).toEqual({
        error: {
          code: 'origin_not_allowed',
          message: 'Calls from https://evil.test are not allowed here',
          path: 'origin',
        },
      })
      expect(res.headers['access-control-allow-origin']).toBeUndefined()
    }
    await lookup('victim-device').expect(404)
    expect(await built.metrics.originRefused.get()).toMatchObject({ values: [{ value: 2 }] })
  })

  it('accepts an allowed origin and lets the page read the answer with credentials', async () => {
    const app = setup()
    const res = await request(app)
      .post('/v1/web/track')
      .set('Origin', allowed)
      .set('Content-Type', 'text/plain')
      .send(JSON.stringify({ anonymousId: 'device-ok', event: 'Clicked' }))
      .expect(200)
    expect(res.headers['access-control-allow-origin']).toBe(allowed)
    expect(res.headers['access-control-allow-credentials']).toBe('true')
    expect(res.headers.vary).toMatch(/Origin/)
    await lookup('device-ok').expect(200)
  })

  it('accepts a subdomain of an allowed pattern', async () => {
    const app = setup()
    const res = await request(app)
      .post('/v1/web/page')
      .set('Origin', 'https://shop.example.org')
      .send({ anonymousId: 'device-sub' })
      .expect(200)
    expect(res.headers['access-control-allow-origin']).toBe('https://shop.example.org')
  })

  it('accepts same-origin calls: no Origin header, or the container’s own host', async () => {
    const app = setup()
    const none = await request(app).post('/v1/web/page').send({ anonymousId: 'd1' }).expect(200)
    expect(none.headers['access-control-allow-origin']).toBeUndefined()
    await request(app)
      .post('/v1/web/page')
      .set('Host', 'tags.example.net')
      .set('Origin', 'https://tags.example.net')
      .send({ anonymousId: 'd2' })
      .expect(200)
  })

  it('answers an allowed preflight with 204 and the methods and headers it permits', async () => {
    const app = setup()
    const res = await request(app)
      .options('/v1/web/identify')
      .set('Origin', allowed)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type')
      .expect(204)
    expect(res.headers['access-control-allow-origin']).toBe(allowed)
    expect(res.headers['access-control-allow-methods']).toBe('POST, OPTIONS')
    expect(res.headers['access-control-allow-headers']).toMatch(/Content-Type/)
    expect(res.headers['access-control-max-age']).toBe('600')
  })

  it('refuses a preflight from another site without any CORS header', async () => {
    const app = setup()
    const res = await request(app)
      .options('/v1/web/identify')
      .set('Origin', 'https://evil.test')
      .set('Access-Control-Request-Method', 'POST')
      .expect(403)
    expect(res.headers['access-control-allow-origin']).toBeUndefined()
    expect(res.body).toMatchObject({ error: { code: 'origin_not_allowed' } })
  })

  it('guards /v1/personalize too, and leaves the server-to-server API to its write key', async () => {
    const app = setup()
    const personalize = await request(app)
      .post('/v1/personalize')
      .set('Origin', 'https://evil.test')
      .send({})
      .expect(403)
    expect(personalize.body).toMatchObject({ error: { code: 'origin_not_allowed' } })
    await request(app)
      .post('/v1/track')
      .set('Origin', 'https://evil.test')
      .set('Authorization', auth.write)
      .send({ anonymousId: 'server-side', event: 'E' })
      .expect(200)
  })
})

describe('security headers', () => {
  it('sends nosniff, no framing, no caching and a locked-down CSP on every API answer', async () => {
    const built = buildApp()
    try {
      for (const res of [
        await request(built.app).get('/healthz'),
        await request(built.app).post('/v1/web/page').send('{'),
        await request(built.app).get('/v1/nope'),
      ]) {
        expect(res.headers['x-content-type-options']).toBe('nosniff')
        expect(res.headers['x-frame-options']).toBe('DENY')
        expect(res.headers['cache-control']).toBe('no-store')
        expect(res.headers['content-security-policy']).toBe(
          "default-src 'none'; frame-ancestors 'none'",
        )
        expect(res.headers['cross-origin-opener-policy']).toBe('same-origin')
        expect(res.headers['x-powered-by']).toBeUndefined()
      }
      // Pages (the demo) load their own scripts: the API's CSP is not theirs.
      const page = await request(built.app).get('/some-page')
      expect(page.headers['x-content-type-options']).toBe('nosniff')
      expect(page.headers['content-security-policy']).toBeUndefined()
    } finally {
      await built.close()
    }
  })
})
