import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../server/src/app.ts'
import { clientAssets } from '../../server/src/client-assets/client-assets.ts'
import { loadConfig } from '../../server/src/config/env.ts'
import { silentLogger } from '../../server/src/config/logger.ts'
import { MemoryStore } from '../../server/src/store/memory/memory-store.ts'

function app(env: Record<string, string> = {}) {
  return createApp({
    config: loadConfig({ NODE_ENV: 'test', ...env }),
    store: new MemoryStore(),
    logger: silentLogger,
    clock: Date.now,
    newId: () => crypto.randomUUID(),
  })
}

describe('GET /parley/client.js', () => {
  it('serves the bundled client with a short cache and a strong ETag', async () => {
    const res = await request(app()).get('/parley/client.js').set('Accept-Encoding', 'identity')
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('application/javascript; charset=utf-8')
    expect(res.headers['cache-control']).toBe('public, max-age=300, must-revalidate')
    expect(res.headers.etag).toBe(clientAssets().client.etag)
    expect(res.headers.vary).toBe('Accept-Encoding')
    expect(res.text).toContain('parley.js')
  })

  it('answers 304 with no body when the browser already has this version', async () => {
    const res = await request(app())
      .get('/parley/client.js')
      .set('If-None-Match', clientAssets().client.etag)
    expect(res.status).toBe(304)
    expect(res.text ?? '').toBe('')
  })

  it('compresses with brotli or gzip as the browser accepts', async () => {
    const { client } = clientAssets()
    expect(brotliDecompressSync(client.brotli).equals(client.body)).toBe(true)
    expect(gunzipSync(client.gzip).equals(client.body)).toBe(true)
    const br = await request(app()).get('/parley/client.js').set('Accept-Encoding', 'gzip, br')
    expect(br.headers['content-encoding']).toBe('br')
    expect(br.headers['content-length']).toBe(String(client.brotli.length))
    const gz = await request(app()).get('/parley/client.js').set('Accept-Encoding', 'gzip')
    expect(gz.headers['content-encoding']).toBe('gzip')
    expect(gz.headers['content-length']).toBe(String(client.gzip.length))
    // supertest inflates the answer: it must be the client itself.
    expect(gz.text).toBe(client.body.toString('utf8'))
  })
})

describe('GET /parley/client.<hash>.js', () => {
  it('serves the same client, cached for a year as immutable', async () => {
    const { clientFile, client } = clientAssets()
    const res = await request(app()).get(`/parley/${clientFile}`)
    expect(res.status).toBe(200)
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(res.headers.etag).toBe(client.etag)
  })

  it('serves an older version name with the current client and only the short cache', async () => {
    const res = await request(app()).get('/parley/client.0000000000.js')
    expect(res.status).toBe(200)
    expect(res.headers['cache-control']).toBe('public, max-age=300, must-revalidate')
  })

  it('answers an unknown file under /parley with the JSON 404', async () => {
    const res = await request(app()).get('/parley/client.zz.js')
    expect(res.status).toBe(404)
    expect(res.body).toEqual({
      error: { code: 'route_not_found', message: 'No route for GET /parley/client.zz.js' },
    })
  })
})

describe('GET /parley/loader.js', () => {
  it('serves the stub, which asks for the content-versioned client', async () => {
    const res = await request(app()).get('/parley/loader.js')
    expect(res.status).toBe(200)
    expect(res.headers['cache-control']).toBe('public, max-age=300, must-revalidate')
    expect(res.text).toContain(clientAssets().clientFile)
    expect(res.text).toContain('_parleyq')
  })
})

describe('GET / (demo site)', () => {
  it('serves the demo pages outside production', async () => {
    const home = await request(app()).get('/')
    expect(home.status).toBe(200)
    expect(home.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(home.text).toContain('data-parley-slot="hero-title"')
    const pricing = await request(app()).get('/pricing')
    expect(pricing.text).toContain('data-parley-slot="pricing-banner"')
  })

  it('leaves / to the site in production', async () => {
    const res = await request(
      app({
        NODE_ENV: 'production',
        PARLEY_COOKIE_SECRET: 'a-production-cookie-secret-of-32-chars!',
        PARLEY_ADMIN_TOKEN: 'a-production-admin-token',
        PARLEY_WRITE_KEYS: 'a-write-key',
      }),
    ).get('/')
    expect(res.status).toBe(404)
    const client = await request(app()).get('/parley/client.js')
    expect(client.status).toBe(200)
  })
})
