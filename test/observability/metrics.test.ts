import request from 'supertest'
import { afterEach, describe, expect, it } from 'vitest'
import { createMetrics, recordCacheLookup } from '../../server/src/observability/metrics.ts'
import { auth, buildApp, type BuiltApp } from '../helpers/build-app.ts'

let built: BuiltApp
afterEach(async () => {
  await built.close()
})

const scrape = async (authorization: string = auth.admin) =>
  (await request(built.app).get('/metrics').set('Authorization', authorization).expect(200)).text

const line = (text: string, prefix: string) =>
  text.split('\n').find((row) => row.startsWith(prefix)) ?? `(no line starting ${prefix})`

describe('GET /metrics', () => {
  it('is closed without a token and opened by the admin token when no metrics token is set', async () => {
    built = buildApp()
    const res = await request(built.app).get('/metrics').expect(401)
    expect(res.body).toMatchObject({
      error: { code: 'invalid_metrics_token', path: 'authorization' },
    })
    const text = await scrape()
    expect(text).toContain('# TYPE parley_http_requests_total counter')
  })

  it('takes only the metrics token when PARLEY_METRICS_TOKEN is set', async () => {
    built = buildApp({ PARLEY_METRICS_TOKEN: 'scraper-token-0123456789' })
    await request(built.app).get('/metrics').set('Authorization', auth.admin).expect(401)
    await scrape('Bearer scraper-token-0123456789')
  })

  it('counts answers by route pattern and status, and times them', async () => {
    built = buildApp()
    await request(built.app).post('/v1/web/page').send({ anonymousId: 'm1' }).expect(200)
    await request(built.app).post('/v1/web/page').type('text/plain').send('{').expect(400)
    await request(built.app).get('/v1/admin/profiles/lookup?userId=x').expect(401)
    await request(built.app).get('/no/such/route/12345').expect(404)
    const text = await scrape()
    expect(
      line(text, 'parley_http_requests_total{method="POST",route="/v1/web/page",status="200"}'),
    ).toMatch(/ 1$/)
    expect(
      line(text, 'parley_http_requests_total{method="POST",route="/v1/web/page",status="400"}'),
    ).toMatch(/ 1$/)
    expect(
      line(text, 'parley_http_requests_total{method="GET",route="unrouted",status="404"}'),
    ).toMatch(/ 1$/)
    expect(text).not.toContain('12345')
    expect(
      line(text, 'parley_http_request_duration_seconds_count{method="POST",route="/v1/web/page"}'),
    ).toMatch(/ 2$/)
  })

  it('names a hot route however it is spelled, and leaves a call its guard refused unrouted', async () => {
    built = buildApp({ PARLEY_ALLOWED_ORIGINS: 'https://shop.example.com' })
    const page = (path: string, origin = 'https://shop.example.com') =>
      request(built.app).post(path).set('Origin', origin).send({ anonymousId: 'm2' })
    await page('/v1/web/page?from=test').expect(200)
    await page('/v1/web/page/').expect(200)
    await page('/v1/web/page', 'https://evil.example.net').expect(403)
    await request(built.app)
      .get('/v1/admin/profiles/lookup?userId=nobody')
      .set('Authorization', auth.admin)
      .expect(404)
    const text = await scrape()
    expect(
      line(text, 'parley_http_requests_total{method="POST",route="/v1/web/page",status="200"}'),
    ).toMatch(/ 2$/)
    expect(
      line(text, 'parley_http_requests_total{method="POST",route="unrouted",status="403"}'),
    ).toMatch(/ 1$/)
    expect(
      line(
        text,
        'parley_http_requests_total{method="GET",route="/v1/admin/profiles/lookup",status="404"}',
      ),
    ).toMatch(/ 1$/)
  })

  it('names the tracking path that was called, long or short', async () => {
    built = buildApp()
    for (const path of ['/v1/track', '/v1/t'])
      await request(built.app)
        .post(path)
        .set('Authorization', auth.write)
        .send({ userId: 'u', event: 'Clicked' })
        .expect(200)
    const text = await scrape()
    for (const path of ['/v1/track', '/v1/t'])
      expect(
        line(text, `parley_http_requests_total{method="POST",route="${path}",status="200"}`),
      ).toMatch(/ 1$/)
  })

  it('counts committed identity changes by kind and returned warnings by code', async () => {
    built = buildApp()
    const identify = (body: object) =>
      request(built.app)
        .post('/v1/identify')
        .set('Authorization', auth.write)
        .send(body)
        .expect(200)
    await identify({ anonymousId: 'a1', traits: {} })
    await identify({ anonymousId: 'a1', userId: 'u1' })
    await identify({ anonymousId: 'a2', traits: {} })
    await identify({ anonymousId: 'a2', userId: 'u1' })
    await identify({ anonymousId: 'a3', userId: 'null' })
    const text = await scrape()
    expect(line(text, 'parley_identity_changes_total{kind="identified"}')).toMatch(/ 1$/)
    expect(line(text, 'parley_identity_changes_total{kind="merged"}')).toMatch(/ 1$/)
    expect(line(text, 'parley_warnings_total{code="junk_user_id"}')).toMatch(/ 1$/)
  })

  it('does not count the merges of a transaction that rolled back', async () => {
    built = buildApp()
    await built.store.close()
    await request(built.app)
      .post('/v1/identify')
      .set('Authorization', auth.write)
      .send({ anonymousId: 'a', userId: 'u' })
      .expect(503)
    const text = await scrape()
    expect(text).not.toContain('parley_identity_changes_total{')
    expect(
      line(text, 'parley_store_errors_total{engine="sqlite",code="store_unavailable"}'),
    ).toMatch(/ 1$/)
  })

  it('exposes the cache hook and event-loop lag with default metrics on', async () => {
    const metrics = createMetrics()
    recordCacheLookup(metrics, 'profiles', true)
    recordCacheLookup(metrics, 'profiles', true)
    recordCacheLookup(metrics, 'profiles', false)
    const text = await metrics.registry.metrics()
    expect(line(text, 'parley_cache_lookups_total{cache="profiles",outcome="hit"}')).toMatch(/ 2$/)
    expect(line(text, 'parley_cache_lookups_total{cache="profiles",outcome="miss"}')).toMatch(/ 1$/)
    expect(text).toContain('nodejs_eventloop_lag_seconds')
    expect(text).toContain('nodejs_eventloop_lag_p99_seconds')
    built = buildApp()
  })
})
