import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import request from 'supertest'
import { afterEach, describe, expect, it } from 'vitest'
import {
  adminToken,
  personalizationApp,
  type PersonalizationApp,
} from '../helpers/personalization-app.ts'

const demoYaml = readFileSync(resolve(import.meta.dirname, '../../config/parley.demo.yaml'), 'utf8')
let h: PersonalizationApp | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

function start(): PersonalizationApp {
  h = personalizationApp(demoYaml)
  return h
}

/** Signs in and answers the session cookie and a page's CSRF token. */
async function signIn(app: PersonalizationApp['app']): Promise<{ cookie: string; csrf: string }> {
  const response = await request(app)
    .post('/console/sign-in')
    .type('form')
    .send({ token: adminToken })
    .expect(303)
  const cookie = (response.headers['set-cookie'] as unknown as string[])[0]?.split(';')[0] ?? ''
  const page = await request(app).get('/console/config').set('Cookie', cookie).expect(200)
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? ''
  return { cookie, csrf }
}

describe('console sign-in', () => {
  it('sends a page without a session to sign-in, and refuses a change with 401', async () => {
    const { app } = start()
    const page = await request(app).get('/console/experiences').expect(303)
    expect(page.headers.location).toBe('/console/sign-in')
    await request(app).post('/console/sign-out').type('form').send({}).expect(401)
    await request(app).get('/console/profiles/x/export').expect(303)
  })

  it('refuses a wrong token with 401 and sets no cookie', async () => {
    const { app } = start()
    const response = await request(app)
      .post('/console/sign-in')
      .type('form')
      .send({ token: 'wrong' })
      .expect(401)
    expect(response.headers['set-cookie']).toBeUndefined()
    expect(response.text).toContain('That is not the admin token.')
  })

  it('limits failed sign-ins per address to 10 a minute', async () => {
    const { app } = start()
    for (let i = 0; i < 10; i++) {
      await request(app).post('/console/sign-in').type('form').send({ token: 'x' }).expect(401)
    }
    const response = await request(app)
      .post('/console/sign-in')
      .type('form')
      .send({ token: adminToken })
      .expect(429)
    expect(response.headers['retry-after']).toBeDefined()
  })

  it('starts an HttpOnly, SameSite=Strict session cookie with an expiry, scoped to /console', async () => {
    const { app } = start()
    const response = await request(app)
      .post('/console/sign-in')
      .type('form')
      .send({ token: adminToken })
      .expect(303)
    const cookie = (response.headers['set-cookie'] as unknown as string[])[0] ?? ''
    expect(cookie).toMatch(/^parley_console=v1\./)
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/SameSite=Strict/)
    expect(cookie).toMatch(/Path=\/console/)
    expect(cookie).toMatch(/Max-Age=28800/)
    expect(cookie).not.toContain(adminToken)
    expect(response.headers.location).toBe('/console/experiences')
  })

  it('marks the cookie Secure over https (behind a trusted proxy)', async () => {
    const { app } = start()
    app.set('trust proxy', 1)
    const response = await request(app)
      .post('/console/sign-in')
      .set('X-Forwarded-Proto', 'https')
      .type('form')
      .send({ token: adminToken })
      .expect(303)
    expect((response.headers['set-cookie'] as unknown as string[])[0]).toMatch(/; Secure/)
  })

  it('refuses a forged or expired session cookie', async () => {
    const app = start()
    const { cookie } = await signIn(app.app)
    const forged = cookie.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))
    await request(app.app).get('/console/config').set('Cookie', forged).expect(303)
    app.advance(8 * 3_600_000 + 1)
    await request(app.app).get('/console/config').set('Cookie', cookie).expect(303)
  })

  it('serves pages with a strict CSP that allows no script', async () => {
    const { app } = start()
    const { cookie } = await signIn(app)
    const page = await request(app).get('/console/experiences').set('Cookie', cookie).expect(200)
    const csp = page.headers['content-security-policy'] ?? ''
    expect(csp).toContain("default-src 'none'")
    expect(csp).not.toMatch(/script-src|unsafe-inline/)
    expect(page.text).not.toMatch(/<script/i)
  })
})

describe('console changes', () => {
  it('refuses a change without the CSRF token (403) and one from another origin', async () => {
    const { app } = start()
    const { cookie, csrf } = await signIn(app)
    await request(app)
      .post('/console/sign-out')
      .set('Cookie', cookie)
      .type('form')
      .send({})
      .expect(403)
    const cross = await request(app)
      .post('/console/sign-out')
      .set('Cookie', cookie)
      .set('Origin', 'https://evil.example')
      .type('form')
      .send({ _csrf: csrf })
      .expect(403)
    expect(cross.text).toContain('origin_not_allowed')
    await request(app)
      .post('/console/sign-out')
      .set('Cookie', cookie)
      .set('Origin', 'null')
      .type('form')
      .send({ _csrf: csrf })
      .expect(403)
    // Still signed in after both refusals.
    await request(app).get('/console/config').set('Cookie', cookie).expect(200)
  })

  it('signs out: the cookie is cleared and the session refused afterwards', async () => {
    const { app } = start()
    const { cookie, csrf } = await signIn(app)
    const out = await request(app)
      .post('/console/sign-out')
      .set('Cookie', cookie)
      .type('form')
      .send({ _csrf: csrf })
      .expect(303)
    expect((out.headers['set-cookie'] as unknown as string[])[0]).toMatch(/parley_console=;/)
    await request(app).get('/console/config').set('Cookie', cookie).expect(303)
  })

  it('deletes a person only when the typed id matches, through the privacy erase', async () => {
    const { app } = start()
    await request(app)
      .post('/v1/identify')
      .auth('test-write-key', '')
      .send({ userId: 'ann', traits: { email: 'ann@acme.com' } })
      .expect(200)
    const { cookie, csrf } = await signIn(app)
    const found = await request(app)
      .get('/console/profiles?by=email&q=ANN@acme.com')
      .set('Cookie', cookie)
      .expect(200)
    const id = /href="\/console\/profiles\/([^"]+)"/.exec(found.text)?.[1] ?? ''
    expect(id).not.toBe('')
    const wrong = await request(app)
      .post(`/console/profiles/${id}/delete`)
      .set('Cookie', cookie)
      .type('form')
      .send({ _csrf: csrf, confirm: 'nope' })
      .expect(400)
    expect(wrong.text).toContain('nothing was deleted')
    const exported = await request(app)
      .get(`/console/profiles/${id}/export`)
      .set('Cookie', cookie)
      .expect(200)
    expect(exported.headers['content-disposition']).toMatch(/^attachment; filename="profile-/)
    expect(exported.body).toMatchObject({
      profile: { userId: 'ann', traits: { email: 'ann@acme.com' } },
    })
    await request(app).get(`/console/profiles/${id}`).set('Cookie', cookie).expect(200)
    await request(app)
      .post(`/console/profiles/${id}/delete`)
      .set('Cookie', cookie)
      .type('form')
      .send({ _csrf: csrf, confirm: decodeURIComponent(id) })
      .expect(200)
    await request(app).get(`/console/profiles/${id}`).set('Cookie', cookie).expect(404)
    const lookup = await request(app)
      .get('/v1/admin/suppressions?userId=ann')
      .set('Authorization', `Bearer ${adminToken}`)
      .expect(200)
    expect(lookup.body).toEqual({ suppressed: { userId: true } })
  })
})

describe('console pages', () => {
  it('shows a visitor-sent trait as text, never as markup', async () => {
    const { app } = start()
    const payload = '<img src=x onerror="alert(1)">'
    await request(app)
      .post('/v1/identify')
      .auth('test-write-key', '')
      .send({ userId: 'mallory', traits: { name: payload, company: { name: payload } } })
      .expect(200)
    const { cookie } = await signIn(app)
    const found = await request(app)
      .get('/console/profiles?by=userId&q=mallory')
      .set('Cookie', cookie)
      .expect(200)
    const id = /href="\/console\/profiles\/([^"]+)"/.exec(found.text)?.[1] ?? ''
    const page = await request(app).get(`/console/profiles/${id}`).set('Cookie', cookie).expect(200)
    expect(page.text).not.toContain('<img src=x')
    expect(page.text).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;')
  })

  it('previews typed traits without recording anything', async () => {
    const app = start()
    const { cookie } = await signIn(app.app)
    const query = new URLSearchParams({
      companyTraits: JSON.stringify({ name: 'Acme', employeeCount: 5000, industry: 'Software' }),
      url: 'https://www.example.com/pricing',
      device: 'desktop',
    })
    const page = await request(app.app)
      .get(`/console/preview?${query.toString()}`)
      .set('Cookie', cookie)
      .expect(200)
    expect(page.text).toContain('Built for Acme')
    expect(page.text).toContain('enterprise')
    const sample = await app.store.read((reader) => reader.profileSample(10))
    expect(sample.total).toBe(0)
  })

  it('says what is wrong with typed traits that are not a JSON object', async () => {
    const { app } = start()
    const { cookie } = await signIn(app)
    const page = await request(app)
      .get('/console/preview?userTraits=%5B1%5D&url=https%3A%2F%2Fx.example%2F')
      .set('Cookie', cookie)
      .expect(200)
    expect(page.text).toContain('User traits must be a JSON object')
  })

  it('answers a 400 page for a bad query, and 404 for an unknown experience', async () => {
    const { app } = start()
    const { cookie } = await signIn(app)
    await request(app).get('/console/profiles?by=shoeSize&q=1').set('Cookie', cookie).expect(400)
    await request(app).get('/console/experiences/nope').set('Cookie', cookie).expect(404)
  })

  it('finds profiles by anonymous id and by the account domain', async () => {
    const { app } = start()
    await request(app)
      .post('/v1/identify')
      .auth('test-write-key', '')
      .send({
        anonymousId: 'dev-9',
        userId: 'bo',
        traits: { company: { name: 'Globex', domain: 'globex.com' } },
      })
      .expect(200)
    const { cookie } = await signIn(app)
    for (const query of [
      'by=anonymousId&q=dev-9',
      'by=account&q=globex.com',
      'by=account&q=https%3A%2F%2Fwww.globex.com',
    ]) {
      const page = await request(app)
        .get(`/console/profiles?${query}`)
        .set('Cookie', cookie)
        .expect(200)
      expect(page.text).toContain('1 profile found')
    }
    const none = await request(app)
      .get('/console/profiles?by=userId&q=nobody')
      .set('Cookie', cookie)
      .expect(200)
    expect(none.text).toContain('No profile found.')
  })

  it('counts segment audiences exactly while the store is small', async () => {
    const { app } = start()
    await request(app)
      .post('/v1/identify')
      .auth('test-write-key', '')
      .send({
        userId: 'ann',
        traits: {
          company: { name: 'Acme', domain: 'acme.com', employeeCount: 5000, industry: 'Software' },
        },
      })
      .expect(200)
    const { cookie } = await signIn(app)
    const page = await request(app).get('/console/segments').set('Cookie', cookie).expect(200)
    expect(page.text).toContain('Counted exactly over all 1 profiles.')
    expect(page.text.replace(/\s+/g, ' ')).toMatch(
      /id="segment-enterprise">enterprise<\/h2>.*?Audience now:<\/strong> 1 profiles/,
    )
  })

  it('shows a refused config change with the paths of its problems', async () => {
    const h = start()
    h.engine.recordRejection(
      ['segments[0].rule.operator: expected one of equal, …'],
      Date.now() + 1000,
    )
    const { cookie } = await signIn(h.app)
    const page = await request(h.app).get('/console/config').set('Cookie', cookie).expect(200)
    expect(page.text).toContain('The last change was refused')
    expect(page.text).toContain('segments[0].rule.operator: expected one of equal, …')
  })

  it('refuses an oversized form with 413 and a polluting field name without effect', async () => {
    const { app } = start()
    await request(app)
      .post('/console/sign-in')
      .type('form')
      .send(`token=${'x'.repeat(70_000)}`)
      .expect(413)
    await request(app)
      .post('/console/sign-in')
      .type('form')
      .send(`__proto__[token]=${adminToken}&constructor=1`)
      .expect(401)
    expect(({} as Record<string, unknown>).token).toBeUndefined()
  })
})
