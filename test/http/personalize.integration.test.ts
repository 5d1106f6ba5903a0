import request from 'supertest'
import { afterEach, describe, expect, it } from 'vitest'
import type { Store } from '../../server/src/store/store.ts'
import {
  adminToken,
  personalizationApp,
  type PersonalizationApp,
} from '../helpers/personalization-app.ts'

const config = `
segments:
  - id: enterprise
    rule:
      all:
        - { attribute: company.employeeCount, operator: gte, value: 1000 }
        - { attribute: company.industry, operator: in, value: [Software, Finance] }
  - id: pricing-fan
    rule: { attribute: visitor.visitedPaths, operator: starts_with, value: /pricing }
  - id: from-ads
    rule: { attribute: page.utm.medium, operator: equal, value: cpc }
experiences:
  - id: enterprise-pricing
    segments: [enterprise]
    pages: ['/pricing*']
    goals: [Demo Requested]
    variations:
      - id: built-for
        content:
          hero-title: 'Built for {{company.name | "teams like yours"}}'
          hero-cta: 'Hi {{user.nickname}}'
  - id: many-arms
    pages: ['/features']
    goals: [Signed Up]
    variations:
${Array.from({ length: 20 }, (_, i) => `      - { id: v${i}, content: { features-hero: 'Variant ${i}' } }`).join('\n')}
`

const enterpriseTraits = {
  email: 'ann@acme.com',
  firstName: 'Ann',
  company: { id: 'acme', name: 'Acme', industry: 'Software', employeeCount: 5000 },
}

let harness: PersonalizationApp | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

function start(): PersonalizationApp {
  harness = personalizationApp(config)
  return harness
}

/** Counts the read sessions that reach the engine below the profile cache. */
function engineReads(): { sessions: number; wrap: (engine: Store) => Store } {
  const counter = {
    sessions: 0,
    wrap: (engine: Store): Store =>
      new Proxy(engine, {
        get(target, key) {
          if (key === 'read') {
            return (fn: Parameters<Store['read']>[0]) => {
              counter.sessions += 1
              return target.read(fn)
            }
          }
          const value: unknown = Reflect.get(target, key, target)
          return typeof value === 'function' ? (value as () => unknown).bind(target) : value
        },
      }),
  }
  return counter
}

const report = (h: PersonalizationApp, id: string) =>
  request(h.app)
    .get(`/v1/admin/experiences/${id}/report`)
    .set('authorization', `Bearer ${adminToken}`)

/** Ann of Acme (5,000 people, Software) logs in on the pricing page. */
const identifyAnn = (client: ReturnType<typeof request.agent>) =>
  client
    .post('/v1/web/identify')
    .send({
      userId: 'ann',
      traits: enterpriseTraits,
      context: { page: { url: 'https://site.test/pricing' } },
    })
    .expect(200)

describe('POST /v1/web/identify with personalisation', () => {
  it('returns the rendered variation for an enterprise visitor on /pricing in the identify answer itself', async () => {
    const h = start()
    const response = await identifyAnn(request(h.app))
    expect(response.body).toMatchObject({
      userId: 'ann',
      segments: ['enterprise'],
      experiences: [
        {
          id: 'enterprise-pricing',
          variation: 'built-for',
          control: false,
          content: { 'hero-title': 'Built for Acme' },
        },
      ],
    })
    // The slot whose attribute is missing is hidden, and no raw trait rides along.
    expect(JSON.stringify(response.body)).not.toMatch(/ann@acme\.com|hero-cta|5000/)
  })

  it('builds the identify and page answers’ payload from the call itself, with no read after it', async () => {
    const reads = engineReads()
    harness = personalizationApp(config, undefined, {}, reads.wrap)
    const agent = request.agent(harness.app)
    // The identify writes Ann's company account, so its result carries it.
    const identified = await identifyAnn(agent)
    expect(identified.body).toMatchObject({ segments: ['enterprise'] })
    expect(reads.sessions).toBe(0)
    // A page view reads no account: the payload reads that one alone (then kept by the cache).
    const page = () =>
      agent
        .post('/v1/web/page')
        .send({ properties: { url: 'https://site.test/pricing', path: '/pricing' } })
        .expect(200)
    expect((await page()).body).toMatchObject({ segments: ['enterprise', 'pricing-fan'] })
    expect(reads.sessions).toBe(1)
    expect((await page()).body).toMatchObject({ segments: ['enterprise', 'pricing-fan'] })
    expect(reads.sessions).toBe(1)
  })

  it('counts the impression and a goal reached within 7 days in the report', async () => {
    const h = start()
    const agent = request.agent(h.app)
    await identifyAnn(agent)
    h.advance(2 * 86_400_000)
    await agent.post('/v1/web/track').send({ event: 'Demo Requested' }).expect(200)
    await agent.post('/v1/web/track').send({ event: 'Demo Requested' }).expect(200)

    const body = (await report(h, 'enterprise-pricing').expect(200)).body as Record<string, unknown>
    expect(body).toMatchObject({
      experience: 'enterprise-pricing',
      attributionWindowDays: 7,
      visitors: { control: 0, 'built-for': 1 },
      goals: [
        {
          goal: 'Demo Requested',
          control: { visitors: 0, conversions: 0 },
          variations: [{ variation: 'built-for', visitors: 1, conversions: 1, conversionRate: 1 }],
          minimumSample: { met: false, exposed: 50, conversions: 5 },
          verdict: { status: 'invalid' },
        },
      ],
      // This test config has no holdout: nothing to compare with.
      verdict: { status: 'invalid', reason: 'No holdout: there is no control to compare with.' },
      method: { correction: 'holm', srmThreshold: 0.001 },
    })
  })

  it('counts a goal sent server-side through the Segment API, once, on the profile too', async () => {
    const h = start()
    await identifyAnn(request.agent(h.app))
    for (const messageId of ['m1', 'm2']) {
      await request(h.app)
        .post('/v1/track')
        .auth('test-write-key', '')
        .send({ userId: 'ann', event: 'Demo Requested', messageId })
        .expect(200)
    }
    const body = (await report(h, 'enterprise-pricing').expect(200)).body as {
      goals: { variations: { conversions: number }[] }[]
    }
    expect(body.goals[0]?.variations[0]?.conversions).toBe(1)
    const lookup = await request(h.app)
      .get('/v1/admin/profiles/lookup?userId=ann')
      .set('authorization', `Bearer ${adminToken}`)
      .expect(200)
    expect(lookup.body).toMatchObject({ profile: { visitor: { conversions: 2, events: 2 } } })
  })

  it('does not count a goal reached after the attribution window', async () => {
    const h = start()
    const agent = request.agent(h.app)
    await agent
      .post('/v1/web/identify')
      .send({ userId: 'ann', traits: enterpriseTraits, context: { page: { path: '/pricing' } } })
      .expect(200)
    h.advance(8 * 86_400_000)
    await agent.post('/v1/web/track').send({ event: 'Demo Requested' }).expect(200)
    const body = (await report(h, 'enterprise-pricing').expect(200)).body as {
      goals: { variations: { conversions: number }[] }[]
    }
    expect(body.goals[0]?.variations[0]?.conversions).toBe(0)
  })
})

describe('bucketing across devices', () => {
  it('keeps the known user’s bucket when a second device logs in', async () => {
    const h = start()
    const laptop = request.agent(h.app)
    const first = await laptop
      .post('/v1/web/identify')
      .send({ userId: 'bob', traits: {}, context: { page: { path: '/features' } } })
      .expect(200)
    const known = (first.body as { experiences: { variation: string }[] }).experiences[0]?.variation

    // A phone browses anonymously and is bucketed on its own profile first; take the first of a
    // few fresh devices whose own bucket differs, so the merge has something to decide.
    let phone = request.agent(h.app)
    let phoneBucket: string | undefined
    let devices = 0
    while (devices < 10 && (phoneBucket === undefined || phoneBucket === known)) {
      devices += 1
      phone = request.agent(h.app)
      const anonymous = await phone
        .post('/v1/web/page')
        .send({ properties: { path: '/features' } })
        .expect(200)
      phoneBucket = (anonymous.body as { experiences: { variation: string }[] }).experiences[0]
        ?.variation
    }
    expect(phoneBucket).toBeDefined()
    expect(phoneBucket).not.toBe(known)

    const merged = await phone
      .post('/v1/web/identify')
      .send({ userId: 'bob', traits: {}, context: { page: { path: '/features' } } })
      .expect(200)
    expect(
      (merged.body as { experiences: { variation: string }[] }).experiences[0]?.variation,
    ).toBe(known)

    // The merged phone is no visitor of its own any more: bob counts once, in his arm, beside
    // any skipped devices (they landed in his arm too and stay separate anonymous visitors).
    const body = (await report(h, 'many-arms').expect(200)).body as {
      visitors: Record<string, number>
    }
    expect(body.visitors[phoneBucket ?? '']).toBe(0)
    expect(body.visitors[known ?? '']).toBe(devices)
    expect(Object.values(body.visitors).reduce((a, b) => a + b, 0)).toBe(devices)
  })
})

describe('POST /v1/personalize', () => {
  it('answers for the cookie’s visitor with segments from visited pages and the page context', async () => {
    const h = start()
    const agent = request.agent(h.app)
    const page = await agent
      .post('/v1/web/page')
      .send({ properties: { path: '/pricing/teams' } })
      .expect(200)
    const { anonymousId } = page.body as { anonymousId: string }

    const response = await agent
      .post('/v1/personalize')
      .set('content-type', 'text/plain')
      .send(JSON.stringify({ page: { url: 'https://site.test/blog?utm_medium=cpc' } }))
      .expect(200)
    expect(response.body).toEqual({
      anonymousId,
      segments: ['pricing-fan', 'from-ads'],
      experiences: [],
    })
  })

  it('leaves a cookie that already holds the visitor alone (page calls refresh it)', async () => {
    const h = start()
    const agent = request.agent(h.app)
    const page = await agent
      .post('/v1/web/page')
      .send({ properties: { path: '/' } })
      .expect(200)
    expect(page.headers['set-cookie']?.[0]).toMatch(/^parley_aid=/)
    const response = await agent
      .post('/v1/personalize')
      .send({ page: { path: '/' } })
      .expect(200)
    expect(response.headers['set-cookie']).toBeUndefined()
    expect((response.body as { anonymousId: string }).anonymousId).toBe(
      (page.body as { anonymousId: string }).anonymousId,
    )
  })

  it('takes the visitor from the body and creates a profile for a new device', async () => {
    const h = start()
    const response = await request(h.app)
      .post('/v1/personalize')
      .send({ anonymousId: 'fresh-device-1', page: { path: '/features' } })
      .expect(200)
    expect(response.body).toMatchObject({ anonymousId: 'fresh-device-1', segments: [] })
    expect((response.body as { experiences: unknown[] }).experiences).toHaveLength(1)
    expect(response.headers['set-cookie']?.[0]).toMatch(/^parley_aid=/)
    const again = await request(h.app)
      .post('/v1/personalize')
      .send({ anonymousId: 'fresh-device-1', page: { path: '/features' } })
      .expect(200)
    expect(again.body).toEqual(response.body)
  })

  it('reads a known device and what personalising needs of its profile in one read session', async () => {
    const reads = engineReads()
    harness = personalizationApp(config, undefined, {}, reads.wrap)
    const agent = request.agent(harness.app)
    await identifyAnn(agent)
    reads.sessions = 0
    const response = await agent
      .post('/v1/personalize')
      .send({ page: { path: '/pricing' } })
      .expect(200)
    expect(response.body).toMatchObject({ userId: 'ann', segments: ['enterprise'] })
    expect(reads.sessions).toBe(1)
  })

  it('includes the user id for a known visitor', async () => {
    const h = start()
    const agent = request.agent(h.app)
    await agent
      .post('/v1/web/identify')
      .send({ userId: 'carol', traits: enterpriseTraits })
      .expect(200)
    const response = await agent
      .post('/v1/personalize')
      .send({ page: { path: '/pricing' } })
      .expect(200)
    expect(response.body).toMatchObject({ userId: 'carol', segments: ['enterprise'] })
  })

  it('serves a reloaded config on the next request', async () => {
    const h = start()
    h.engine.replace({
      attributionWindowDays: 7,
      segments: [],
      experiences: [
        {
          id: 'new',
          segments: [],
          pages: [],
          priority: 0,
          holdout: 0,
          goals: [],
          status: 'running',
          variations: [{ id: 'v', weight: 1, paused: false, content: { banner: 'Fresh' } }],
        },
      ],
    })
    const response = await request(h.app)
      .post('/v1/personalize')
      .send({ page: { path: '/' } })
      .expect(200)
    expect((response.body as { experiences: unknown[] }).experiences).toEqual([
      { id: 'new', variation: 'v', control: false, content: { banner: 'Fresh' } },
    ])
  })

  it.each([
    [{ page: 'pricing' }, 'page'],
    [{ anonymousId: 12 }, 'anonymousId'],
    [{ context: [] }, 'context'],
  ])('rejects %j with a 400 naming %s', async (body, path) => {
    const h = start()
    const response = await request(h.app).post('/v1/personalize').send(body).expect(400)
    expect(response.body).toMatchObject({ error: { code: 'invalid_field', path } })
  })

  it('rejects malformed JSON with a 400', async () => {
    const h = start()
    const response = await request(h.app)
      .post('/v1/personalize')
      .set('content-type', 'application/json')
      .send('{"page":')
      .expect(400)
    expect(response.body).toMatchObject({ error: { code: 'invalid_json' } })
  })
})

describe('GET /v1/admin/experiences/:id/report', () => {
  it('needs the admin token', async () => {
    const h = start()
    const response = await request(h.app)
      .get('/v1/admin/experiences/enterprise-pricing/report')
      .expect(401)
    expect(response.body).toMatchObject({ error: { code: 'invalid_admin_token' } })
  })

  it('answers 404 for an experience the config does not have', async () => {
    const h = start()
    const response = await report(h, 'nope').expect(404)
    expect(response.body).toMatchObject({
      error: { code: 'experience_not_found', path: 'params.id' },
    })
  })
})
