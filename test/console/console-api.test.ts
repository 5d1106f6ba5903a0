import supertest from 'supertest'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  parsePersonalizationConfig,
  PersonalizationConfigError,
} from '../../server/src/personalization/load-config.ts'
import { routeDocs } from '../../server/src/openapi/route-docs.ts'
import { errorAnswer } from '../../server/src/openapi/answer-schemas.ts'
import { stringify } from 'yaml'
import { authoringApps, type AuthoringApp, type ConsoleAgent } from '../helpers/authoring-app.ts'
import { brokenConfig, headlineConfig } from '../helpers/config-documents.ts'
import { testCredentials } from '../helpers/start-container.ts'

/** Each test's app, closed after it. */
const start = authoringApps()

/** The documented answer of a route: parsing keeps documented fields, so equal = described. */
function expectDescribed(method: string, path: string, body: unknown): void {
  const doc = routeDocs.find((d) => d.method === method && d.path === path)
  if (doc === undefined || !(doc.answer instanceof z.ZodType)) throw new Error(`no doc for ${path}`)
  expect(doc.answer.parse(body)).toEqual(body)
}

function expectError(response: supertest.Response, status: number, code: string, path?: string) {
  expect(response.status, JSON.stringify(response.body)).toBe(status)
  expect(errorAnswer.parse(response.body)).toEqual(response.body)
  expect(response.body.error.code).toBe(code)
  if (path !== undefined) expect(response.body.error.path).toBe(path)
}

/** The headline a visitor gets on `/` from the config in force. */
async function servedHeadline(app: AuthoringApp): Promise<string | undefined> {
  const response = await supertest(app.app)
    .post('/v1/personalize')
    .send({ anonymousId: 'visitor-1', page: { url: 'https://www.example.com/', path: '/' } })
    .expect(200)
  const body = response.body as { experiences: { id: string; content: Record<string, string> }[] }
  return body.experiences.find((e) => e.id === 'hero')?.content['hero-title']
}

const publish = (agent: ConsoleAgent, headline: string, baseVersion: number | null, note = '') =>
  agent.post('/console/api/publish', { document: headlineConfig(headline), baseVersion, note })

describe('console API: sessions', () => {
  it('refuses every route without a session with a JSON 401', async () => {
    const { app } = await start()
    for (const path of ['/console/api/me', '/console/api/config', '/console/api/versions']) {
      expectError(await supertest(app).get(path), 401, 'console_session_required')
    }
    const post = await supertest(app).post('/console/api/publish').send({})
    expectError(post, 401, 'console_session_required')
  })

  it('says who is signed in, the CSRF token, and whether the config can be edited', async () => {
    const app = await start()
    const agent = await app.signIn()
    const me = await agent.get('/console/api/me').expect(200)
    expect(me.body).toMatchObject({
      person: { name: 'operator', role: 'editor', kind: 'operator' },
      csrf: agent.csrf,
      mayPublish: true,
      config: { source: 'store', editable: true, version: { number: 1, kind: 'seed' } },
      propagationBoundMs: 2000,
    })
    expectDescribed('get', '/console/api/me', me.body)
  })

  it('refuses a change without the CSRF header, or from another origin, as JSON', async () => {
    const app = await start()
    const agent = await app.signIn()
    const noToken = await supertest(app.app)
      .post('/console/api/validate')
      .set('Cookie', agent.cookie)
      .send({ document: headlineConfig('x') })
    expectError(noToken, 403, 'invalid_csrf_token', 'headers.x-csrf-token')
    const cross = await agent
      .post('/console/api/validate', { document: headlineConfig('x') })
      .set('Origin', 'https://evil.example')
    expectError(cross, 403, 'origin_not_allowed')
  })

  it('refuses a body that is not JSON', async () => {
    const app = await start()
    const agent = await app.signIn()
    const raw = (type: string, text: string) =>
      supertest(app.app)
        .post('/console/api/validate')
        .set('Cookie', agent.cookie)
        .set('X-CSRF-Token', agent.csrf)
        .set('Content-Type', type)
        .send(text)
    expectError(await raw('application/json', '{"document": '), 400, 'invalid_json')
    expectError(
      await raw('application/x-www-form-urlencoded', 'document=x'),
      415,
      'unsupported_media_type',
    )
    // The same body as JSON is fine: the refusals above are about the body, not the route.
    await raw('application/json', '{"document": {}}').expect(200)
  })
})

describe('console API: people and roles', () => {
  it('signs a person in with their name and password into a session that carries who they are', async () => {
    const app = await start()
    await app.addUser('ann@example.com', 'editor')
    const agent = await app.signIn({
      name: 'ann@example.com',
      password: 'correct horse battery staple',
    })
    expect(agent.cookie).toMatch(/^parley_console=v2\./)
    const me = await agent.get('/console/api/me').expect(200)
    expect(me.body.person).toEqual({ name: 'ann@example.com', role: 'editor', kind: 'user' })
    const page = await agent.get('/console/experiences').expect(200)
    expect(page.text).toContain('Signed in as <strong>ann@example.com</strong> (editor)')
  })

  it('refuses a wrong password or an unknown name alike, and counts both towards the limit', async () => {
    const app = await start()
    await app.addUser('ann', 'editor')
    const wrong = await supertest(app.app)
      .post('/console/sign-in')
      .type('form')
      .send({ name: 'ann', password: 'not the password at all' })
      .expect(401)
    expect(wrong.text).toContain('That user name and password do not match.')
    expect(wrong.headers['set-cookie']).toBeUndefined()
    const unknown = await supertest(app.app)
      .post('/console/sign-in')
      .type('form')
      .send({ name: 'nobody', password: 'correct horse battery staple' })
      .expect(401)
    expect(unknown.text).toContain('That user name and password do not match.')
    for (let i = 0; i < 8; i++) {
      await supertest(app.app).post('/console/sign-in').type('form').send({}).expect(401)
    }
    await supertest(app.app)
      .post('/console/sign-in')
      .type('form')
      .send({ name: 'ann', password: 'correct horse battery staple' })
      .expect(429)
  })

  it('lets a viewer look but refuses their publish, rollback, status change and profile delete with 403', async () => {
    const app = await start()
    await app.addUser('val', 'viewer')
    const viewer = await app.signIn({ name: 'val', password: 'correct horse battery staple' })
    const me = await viewer.get('/console/api/me').expect(200)
    expect(me.body).toMatchObject({ person: { role: 'viewer' }, mayPublish: false })
    await viewer.get('/console/api/versions').expect(200)
    await viewer.get('/console/api/audit').expect(200)
    await viewer.post('/console/api/validate', { document: headlineConfig('x') }).expect(200)
    expectError(await publish(viewer, 'Viewer', 1), 403, 'insufficient_role')
    expectError(
      await viewer.post('/console/api/rollback', { version: 1 }),
      403,
      'insufficient_role',
    )
    expectError(
      await viewer.post('/console/api/status', { experience: 'hero', status: 'paused' }),
      403,
      'insufficient_role',
    )
    const deleted = await supertest(app.app)
      .post('/console/profiles/someone/delete')
      .set('Cookie', viewer.cookie)
      .type('form')
      .send({ _csrf: viewer.csrf, confirm: 'someone' })
      .expect(403)
    expect(deleted.text).toContain('insufficient_role')
    expect(await app.store.read((r) => r.latestConfigVersionNumber())).toBe(1)
  })

  it('ends a person’s sessions when they are removed or their password changes, and applies a new role at once', async () => {
    const app = await start()
    await app.addUser('ann', 'editor')
    const agent = await app.signIn({ name: 'ann', password: 'correct horse battery staple' })
    const { addUser, removeUser } = await import('../../server/src/console-users/manage-users.ts')
    await addUser(app.store, {
      name: 'ann',
      role: 'viewer',
      password: 'correct horse battery staple',
      actor: 'test',
      at: 1,
      replace: true,
    })
    // A new password hash (fresh salt): the old session's stamp no longer matches.
    expectError(await agent.get('/console/api/me'), 401, 'console_session_required')
    await agent.get('/console/experiences').expect(303)
    const again = await app.signIn({ name: 'ann', password: 'correct horse battery staple' })
    expect((await again.get('/console/api/me')).body.person.role).toBe('viewer')
    await removeUser(app.store, { name: 'ann', actor: 'test', at: 2 })
    expectError(await again.get('/console/api/me'), 401, 'console_session_required')
    const audit = await (await app.signIn()).get('/console/api/audit').expect(200)
    expect(audit.body.entries.map((e: { action: string }) => e.action)).toEqual([
      'user.remove',
      'user.update',
      'user.add',
      'seed',
    ])
  })
})

describe('the config page', () => {
  it('shows the newest version in the store, who published it and its note', async () => {
    const app = await start()
    await app.addUser('ann', 'editor')
    const ann = await app.signIn({ name: 'ann', password: 'correct horse battery staple' })
    await publish(ann, 'Published', 1, 'Summer headline').expect(200)
    const page = await ann.get('/console/config').expect(200)
    expect(page.text).toContain('The config store: edited in the console, live on every instance')
    const text = page.text.replace(/\s+/g, ' ')
    expect(text).toMatch(/2 \(publish\) by ann, [^<]*: Summer headline/)
    expect(page.text).toContain('The config of version 2')
    expect(page.text).toContain('hero-title: Published')
  })

  it('says why the config is read-only when it is pinned to a file', async () => {
    const app = await start({ pinned: true })
    const page = await (await app.signIn()).get('/console/config').expect(200)
    expect(page.text).toContain('Why read-only')
    expect(page.text).toContain('PARLEY_CONFIG_SOURCE=file pins the config to config/pinned.yaml')
  })
})

describe('console API: reading versions', () => {
  it('reads the config in force and its version', async () => {
    const app = await start()
    const agent = await app.signIn()
    const config = await agent.get('/console/api/config').expect(200)
    expect(config.body.version).toMatchObject({ number: 1, kind: 'seed', author: 'parley' })
    expect(config.body.document.experiences[0].status).toBe('running')
    expectDescribed('get', '/console/api/config', config.body)
  })

  it('lists versions newest first, paged, each with a summary of its change', async () => {
    const app = await start()
    const agent = await app.signIn()
    await publish(agent, 'Second', 1, 'second').expect(200)
    await publish(agent, 'Third', 2, 'third').expect(200)
    const first = await agent.get('/console/api/versions?limit=2').expect(200)
    expect(first.body.versions.map((v: { number: number }) => v.number)).toEqual([3, 2])
    expect(first.body.versions[0]).toMatchObject({
      note: 'third',
      author: 'operator',
      baseVersion: 2,
      summary: 'experience hero changed (variations)',
    })
    expect(first.body.next).toBe(2)
    expectDescribed('get', '/console/api/versions', first.body)
    const rest = await agent.get('/console/api/versions?limit=2&before=2').expect(200)
    expect(rest.body.versions.map((v: { number: number }) => v.number)).toEqual([1])
    expect(rest.body.versions[0].summary).toBe('segment everyone added; experience hero added')
    expect(rest.body.next).toBeNull()
    expectError(
      await agent.get('/console/api/versions?limit=0'),
      400,
      'invalid_field',
      'query.limit',
    )
    expectError(
      await agent.get('/console/api/versions?before=x'),
      400,
      'invalid_field',
      'query.before',
    )
  })

  it('reads one version, and answers 404 or 400 for a missing or bad number', async () => {
    const app = await start()
    const agent = await app.signIn()
    const one = await agent.get('/console/api/versions/1').expect(200)
    expect(one.body.version.number).toBe(1)
    expect(one.body.document.experiences[0].variations[0].content['hero-title']).toBe('Seeded')
    expectDescribed('get', '/console/api/versions/:number', one.body)
    expectError(
      await agent.get('/console/api/versions/9'),
      404,
      'config_version_not_found',
      'params.number',
    )
    expectError(await agent.get('/console/api/versions/one'), 400, 'invalid_field', 'params.number')
  })

  it('diffs two versions', async () => {
    const app = await start()
    const agent = await app.signIn()
    await publish(agent, 'Second', 1).expect(200)
    const diff = await agent.get('/console/api/diff?from=1&to=2').expect(200)
    expect(diff.body).toMatchObject({
      from: 1,
      to: 2,
      summary: 'experience hero changed (variations)',
      impacts: [],
    })
    expect(diff.body.diff.experiences.changed[0].variations.changed[0]).toEqual({
      id: 'headline',
      fields: ['content.hero-title'],
    })
    expectDescribed('get', '/console/api/diff', diff.body)
    expectError(await agent.get('/console/api/diff?from=1'), 400, 'invalid_field', 'query.to')
    expectError(
      await agent.get('/console/api/diff?from=1&to=5'),
      404,
      'config_version_not_found',
      'query.to',
    )
  })
})

describe('console API: drafts', () => {
  it('validates a draft with the loader’s messages and paths, storing nothing', async () => {
    const app = await start()
    const agent = await app.signIn()
    const ok = await agent
      .post('/console/api/validate', { document: headlineConfig('x') })
      .expect(200)
    expect(ok.body).toEqual({ valid: true, issues: [] })
    const draft = {
      ...brokenConfig(),
      segments: [
        { id: 'everyone', rule: { attribute: 'visitor.pageview', operator: 'gte', value: 1 } },
      ],
    }
    const bad = await agent.post('/console/api/validate', { document: draft }).expect(200)
    expectDescribed('post', '/console/api/validate', bad.body)
    // The same lines the loader prints for the same document as a file.
    let loaderIssues: string[] = []
    try {
      parsePersonalizationConfig(stringify(draft), 'draft.yaml')
    } catch (error) {
      if (error instanceof PersonalizationConfigError) loaderIssues = error.issues
    }
    expect(loaderIssues.length).toBeGreaterThan(1)
    expect(bad.body.valid).toBe(false)
    expect(
      bad.body.issues.map((i: { path: string; message: string }) => `${i.path}: ${i.message}`),
    ).toEqual(loaderIssues)
    expect(bad.body.issues[0].at).toEqual(['segments', 0, 'rule', 'attribute'])
    expect(await app.store.read((r) => r.latestConfigVersionNumber())).toBe(1)
    expectError(
      await agent.post('/console/api/validate', {}),
      400,
      'invalid_field',
      'body.document',
    )
    expectError(
      await agent.post('/console/api/validate', { document: {}, extra: 1 }),
      400,
      'invalid_field',
    )
  })

  it('shows what a draft changes and what it does to buckets, with the visitors a removed variation holds', async () => {
    const app = await start()
    const agent = await app.signIn()
    await app.store.transaction((tx) =>
      tx.recordImpression({
        profileId: 'p1',
        experienceId: 'hero',
        variation: 'other',
        control: false,
        at: 1,
      }),
    )
    const draft = headlineConfig('Seeded', {
      holdout: 0.5,
      variations: [{ id: 'headline', content: { 'hero-title': 'Seeded' } }],
    })
    const diff = await agent.post('/console/api/diff', { document: draft }).expect(200)
    expectDescribed('post', '/console/api/diff', diff.body)
    expect(diff.body.against).toBe(1)
    expect(diff.body.summary).toBe('experience hero changed (holdout, variations)')
    expect(diff.body.impacts).toEqual([
      expect.objectContaining({
        change: 'variation-removed',
        variation: 'other',
        movesRecordedVisitors: true,
        recordedVisitors: 1,
      }),
      expect.objectContaining({
        change: 'split',
        newVisitorsMoved: 0.5,
        movesRecordedVisitors: false,
      }),
    ])
    expectError(
      await agent.post('/console/api/diff', { document: brokenConfig() }),
      400,
      'invalid_config',
    )
    expectError(
      await agent.post('/console/api/diff', { document: draft, against: 4 }),
      404,
      'config_version_not_found',
      'body.against',
    )
  })

  it('previews a draft for a URL and typed traits, and the config in force without one', async () => {
    const app = await start()
    const agent = await app.signIn()
    const draft = headlineConfig('Hello {{company.name | "there"}}')
    const preview = await agent
      .post('/console/api/preview', {
        document: draft,
        url: 'https://www.example.com/pricing',
        companyTraits: { name: 'Acme' },
      })
      .expect(200)
    expect(preview.body).toEqual({
      who: 'A visitor with these traits',
      segments: ['everyone'],
      experiences: [
        {
          id: 'hero',
          variation: 'headline',
          control: false,
          content: { 'hero-title': 'Hello Acme' },
        },
      ],
    })
    expectDescribed('post', '/console/api/preview', preview.body)
    const inForce = await agent
      .post('/console/api/preview', { url: 'https://www.example.com/' })
      .expect(200)
    expect(inForce.body.experiences[0].content['hero-title']).toBe('Seeded')
    expectError(
      await agent.post('/console/api/preview', { url: 'not a url' }),
      400,
      'invalid_field',
      'body.url',
    )
    expectError(
      await agent.post('/console/api/preview', { url: 'https://x.example/', profile: 'nobody' }),
      404,
      'profile_not_found',
      'body.profile',
    )
    expectError(
      await agent.post('/console/api/preview', {
        url: 'https://x.example/',
        document: brokenConfig(),
      }),
      400,
      'invalid_config',
      'experiences[0].holdout',
    )
    expect(await app.store.read((r) => r.impressions('preview'))).toEqual([])
  })

  it('sizes a draft segment’s audience, and refuses a broken rule with its path', async () => {
    const app = await start()
    const agent = await app.signIn()
    const auth = `Basic ${Buffer.from(`${testCredentials.writeKey}:`).toString('base64')}`
    for (const [userId, plan] of [
      ['u1', 'pro'],
      ['u2', 'pro'],
      ['u3', 'free'],
    ]) {
      await supertest(app.app)
        .post('/v1/identify')
        .set('authorization', auth)
        .send({ userId, traits: { plan } })
        .expect(200)
    }
    const size = await agent
      .post('/console/api/audience', {
        rule: { attribute: 'user.plan', operator: 'equal', value: 'pro' },
      })
      .expect(200)
    expect(size.body).toEqual({ total: 3, sampled: 3, estimate: 2, exact: true, low: 2, high: 2 })
    expectDescribed('post', '/console/api/audience', size.body)
    const broken = await agent.post('/console/api/audience', {
      rule: { all: [{ attribute: 'user.plan', operator: 'near', value: 'pro' }] },
    })
    expectError(broken, 400, 'invalid_config', 'rule.all[0].operator')
    expect(broken.body.error.details.issues[0].message).toMatch(/^expected one of equal/)
  })
})

describe('console API: publishing', () => {
  it('publishes a draft that every request serves at once, and records it in the audit log', async () => {
    const app = await start()
    await app.addUser('ann', 'editor')
    const ann = await app.signIn({ name: 'ann', password: 'correct horse battery staple' })
    expect(await servedHeadline(app)).toBe('Seeded')
    const published = await publish(ann, 'Published', 1, 'A new headline').expect(200)
    expectDescribed('post', '/console/api/publish', published.body)
    expect(published.body.version).toMatchObject({
      number: 2,
      kind: 'publish',
      author: 'ann',
      note: 'A new headline',
      baseVersion: 1,
    })
    expect(published.body.summary).toBe('experience hero changed (variations)')
    expect(await servedHeadline(app)).toBe('Published')
    expect(app.live.version?.number).toBe(2)
    const audit = await ann.get('/console/api/audit').expect(200)
    expectDescribed('get', '/console/api/audit', audit.body)
    expect(audit.body.entries[0]).toMatchObject({
      actor: 'ann',
      action: 'publish',
      fromVersion: 1,
      toVersion: 2,
      summary: 'experience hero changed (variations)',
    })
  })

  it('tells the second of two people publishing from the same version who came first, and keeps the first', async () => {
    const app = await start()
    await app.addUser('ann', 'editor')
    await app.addUser('bob', 'editor')
    const ann = await app.signIn({ name: 'ann', password: 'correct horse battery staple' })
    const bob = await app.signIn({ name: 'bob', password: 'correct horse battery staple' })
    await publish(ann, 'Ann', 1, "Ann's headline").expect(200)
    const second = await publish(bob, 'Bob', 1)
    expectError(second, 409, 'config_version_conflict', 'body.baseVersion')
    expect(second.body.error.message).toContain('ann published version 2 ("Ann\'s headline")')
    expect(second.body.error.details).toMatchObject({
      baseVersion: 1,
      currentVersion: 2,
      publishedSince: [{ number: 2, author: 'ann', note: "Ann's headline" }],
    })
    expect(await servedHeadline(app)).toBe('Ann')
    expect(await app.store.read((r) => r.latestConfigVersionNumber())).toBe(2)
  })

  it('never publishes a broken draft, answering every problem with the loader’s paths', async () => {
    const app = await start()
    const agent = await app.signIn()
    const response = await agent.post('/console/api/publish', {
      document: brokenConfig(),
      baseVersion: 1,
    })
    expectError(response, 400, 'invalid_config', 'experiences[0].holdout')
    expect(response.body.error.details.issues).toEqual([
      {
        path: 'experiences[0].holdout',
        at: ['experiences', 0, 'holdout'],
        message: 'expected a number',
      },
    ])
    expect(await app.store.read((r) => r.latestConfigVersionNumber())).toBe(1)
    expect(await servedHeadline(app)).toBe('Seeded')
    expectError(
      await agent.post('/console/api/publish', { document: headlineConfig('x') }),
      400,
      'invalid_field',
      'body.baseVersion',
    )
  })

  it('refuses keys that would reach a prototype, polluting nothing', async () => {
    const app = await start()
    const agent = await app.signIn()
    const body = `{"baseVersion": 1, "document": {"__proto__": {"polluted": true}, "experiences": [{"id": "e", "variations": [{"id": "v", "content": {"__proto__": "x", "constructor": "y"}}]}]}}`
    const response = await supertest(app.app)
      .post('/console/api/publish')
      .set('Cookie', agent.cookie)
      .set('X-CSRF-Token', agent.csrf)
      .set('Content-Type', 'application/json')
      .send(body)
    expectError(response, 400, 'invalid_config')
    // A `__proto__` key is never read (the loader's output has none); `constructor` is refused.
    expect(response.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual([
      'experiences[0].variations[0].content.constructor',
    ])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(await app.store.read((r) => r.latestConfigVersionNumber())).toBe(1)
  })

  it('asks to confirm a change that moves visitors who already have a bucket', async () => {
    const app = await start()
    const agent = await app.signIn()
    const draft = headlineConfig('Seeded', {
      variations: [{ id: 'headline', content: { 'hero-title': 'Seeded' } }],
    })
    const asked = await agent.post('/console/api/publish', { document: draft, baseVersion: 1 })
    expectError(asked, 409, 'confirmation_required', 'body.confirmMoves')
    expect(asked.body.error.details.impacts[0]).toMatchObject({
      change: 'variation-removed',
      variation: 'other',
    })
    await agent
      .post('/console/api/publish', { document: draft, baseVersion: 1, confirmMoves: true })
      .expect(200)
  })

  it('rolls back to an earlier version in one action', async () => {
    const app = await start()
    const agent = await app.signIn()
    await publish(agent, 'Second', 1).expect(200)
    const rolled = await agent
      .post('/console/api/rollback', { version: 1, baseVersion: 2 })
      .expect(200)
    expectDescribed('post', '/console/api/rollback', rolled.body)
    expect(rolled.body.version).toMatchObject({ number: 3, kind: 'rollback', restoredFrom: 1 })
    expect(await servedHeadline(app)).toBe('Seeded')
    expectError(
      await agent.post('/console/api/rollback', { version: 9, baseVersion: 3 }),
      404,
      'config_version_not_found',
      'body.version',
    )
    expectError(
      await agent.post('/console/api/rollback', { version: 'one', baseVersion: 3 }),
      400,
      'invalid_field',
      'body.version',
    )
    expectError(
      await agent.post('/console/api/rollback', { version: 1, baseVersion: 2 }),
      409,
      'config_version_conflict',
    )
  })

  it('refuses a rollback without its base version, or from a stale one, as a publish is refused', async () => {
    const app = await start()
    await app.addUser('ann', 'editor')
    const ann = await app.signIn({ name: 'ann', password: 'correct horse battery staple' })
    const bob = await app.signIn()
    await publish(ann, 'Second', 1).expect(200)
    // Without a base the server cannot tell what the rollback would undo: refused, as for publish.
    const missing = await bob.post('/console/api/rollback', { version: 1 })
    expectError(missing, 400, 'invalid_field', 'body.baseVersion')
    expect(missing.body.error.message).toMatch(/^body\.baseVersion: /)
    // Bob chose to roll back on version 2; ann published version 3 since.
    await publish(ann, 'Third', 2, 'Keep the third').expect(200)
    const stale = await bob.post('/console/api/rollback', { version: 1, baseVersion: 2 })
    expectError(stale, 409, 'config_version_conflict', 'body.baseVersion')
    // The same refusal, word for word (who published what since), as a publish from that base.
    const stalePublish = await publish(bob, 'Bob', 2)
    expect(stalePublish.body.error.message).toContain('ann published version 3 ("Keep the third")')
    expect(stale.body).toEqual(stalePublish.body)
    expect(await app.store.read((r) => r.latestConfigVersionNumber())).toBe(3)
    expect(await servedHeadline(app)).toBe('Third')
  })

  it('refuses every write while the config is pinned to a file, saying why', async () => {
    const app = await start({ pinned: true })
    const agent = await app.signIn()
    const me = await agent.get('/console/api/me').expect(200)
    expect(me.body).toMatchObject({
      mayPublish: false,
      config: {
        source: 'file',
        editable: false,
        pinned: {
          file: 'config/pinned.yaml',
          reason: expect.stringContaining('PARLEY_CONFIG_SOURCE=file'),
        },
        version: null,
      },
    })
    const config = await agent.get('/console/api/config').expect(200)
    expect(config.body.document.experiences[0].id).toBe('hero')
    for (const [path, body] of [
      ['/console/api/publish', { document: headlineConfig('x'), baseVersion: 1 }],
      ['/console/api/rollback', { version: 1 }],
      ['/console/api/status', { experience: 'hero', status: 'paused' }],
    ] as const) {
      const refused = await agent.post(path, body)
      expectError(refused, 409, 'config_pinned')
      expect(refused.body.error.message).toContain('PARLEY_CONFIG_SOURCE=file')
      expect(refused.body.error.details).toEqual({ file: 'config/pinned.yaml' })
    }
    // Reading and checking drafts still work.
    await agent.post('/console/api/validate', { document: headlineConfig('x') }).expect(200)
  })
})

describe('console API: statuses', () => {
  it('pauses an experience (no longer served), resumes it, and pauses one variation', async () => {
    const app = await start()
    const agent = await app.signIn()
    const paused = await agent
      .post('/console/api/status', { experience: 'hero', status: 'paused' })
      .expect(200)
    expectDescribed('post', '/console/api/status', paused.body)
    expect(paused.body.impacts.map((i: { change: string }) => i.change)).toEqual(['paused'])
    expect(await servedHeadline(app)).toBeUndefined()
    await agent
      .post('/console/api/status', { experience: 'hero', status: 'running', baseVersion: 2 })
      .expect(200)
    expect(await servedHeadline(app)).toBe('Seeded')
    const variation = await agent
      .post('/console/api/status', { experience: 'hero', variation: 'other', paused: true })
      .expect(200)
    expect(variation.body.version.note).toBe('hero: variation other paused')
  })

  it('applies a status change without a base version to the newest version, keeping what was published since', async () => {
    const app = await start()
    const agent = await app.signIn()
    // Decided on version 1; version 2 changed the headline since. Unlike a rollback, the change
    // touches the status alone, so it keeps the new headline.
    await publish(agent, 'Second', 1).expect(200)
    const paused = await agent
      .post('/console/api/status', { experience: 'hero', status: 'paused' })
      .expect(200)
    expect(paused.body.version).toMatchObject({ number: 3, baseVersion: 2 })
    const config = await agent.get('/console/api/config').expect(200)
    expect(config.body.document.experiences[0]).toMatchObject({
      status: 'paused',
      variations: [{ id: 'headline', content: { 'hero-title': 'Second' } }, { id: 'other' }],
    })
    // With a base version, a stale one is refused as a publish's is.
    expectError(
      await agent.post('/console/api/status', {
        experience: 'hero',
        status: 'running',
        baseVersion: 2,
      }),
      409,
      'config_version_conflict',
      'body.baseVersion',
    )
  })

  it('concludes with a winner served to everyone and a report frozen at the conclusion', async () => {
    const app = await start({
      seed: headlineConfig('Seeded', {
        holdout: 0.5,
        variations: [
          { id: 'headline', content: { 'hero-title': 'Seeded' } },
          { id: 'other', content: { 'hero-title': 'Other' } },
        ],
      }),
    })
    const agent = await app.signIn()
    const visit = async (anonymousId: string) =>
      (
        await supertest(app.app)
          .post('/v1/personalize')
          .send({ anonymousId, page: { path: '/' } })
          .expect(200)
      ).body as { experiences: { variation: string; content: Record<string, string> }[] }
    for (let n = 0; n < 10; n++) await visit(`before-${n}`)
    const report = () =>
      supertest(app.app)
        .get('/v1/admin/experiences/hero/report')
        .set('authorization', `Bearer ${testCredentials.adminToken}`)
        .expect(200)
    const visitorsBefore = (await report()).body.visitors
    app.advance(60_000)
    const concluded = await agent
      .post('/console/api/status', { experience: 'hero', status: 'concluded', winner: 'other' })
      .expect(200)
    expect(concluded.body.impacts[0]).toMatchObject({ change: 'concluded' })
    app.advance(60_000)
    for (let n = 0; n < 10; n++) {
      expect((await visit(`after-${n}`)).experiences).toEqual([
        { id: 'hero', variation: 'other', control: false, content: { 'hero-title': 'Other' } },
      ])
    }
    // A visitor bucketed before (control or not) now gets the winner too.
    expect((await visit('before-0')).experiences[0]?.variation).toBe('other')
    const frozen = (await report()).body
    expect(frozen.visitors).toEqual(visitorsBefore)
    expect(frozen).toMatchObject({
      status: 'concluded',
      concluded: { winner: 'other', at: new Date(app.now() - 60_000).toISOString() },
    })
  })

  it('keeps every recorded bucket through a weight change, and shows a paused variation’s visitors the control’s content', async () => {
    const twoArms = (headline: number, other: number, paused = false) =>
      headlineConfig('Seeded', {
        variations: [
          { id: 'headline', weight: headline, content: { 'hero-title': 'Headline' } },
          { id: 'other', weight: other, paused, content: { 'hero-title': 'Other' } },
        ],
      })
    const app = await start({ seed: twoArms(1, 1) })
    const agent = await app.signIn()
    const seen = async (anonymousId: string) => {
      const answer = await supertest(app.app)
        .post('/v1/personalize')
        .send({ anonymousId, page: { path: '/' } })
        .expect(200)
      const [experience] = (
        answer.body as { experiences: { variation: string; content: object }[] }
      ).experiences
      return experience
    }
    const before = new Map<string, string>()
    for (let n = 0; n < 30; n++) before.set(`v-${n}`, (await seen(`v-${n}`))?.variation ?? '')
    expect(new Set(before.values())).toEqual(new Set(['headline', 'other']))
    // Every new visitor now goes to headline; nobody recorded moves.
    await agent
      .post('/console/api/publish', { document: twoArms(1, 0), baseVersion: 1 })
      .expect(200)
    for (const [visitor, variation] of before)
      expect((await seen(visitor))?.variation).toBe(variation)
    expect((await seen('newcomer'))?.variation).toBe('headline')
    // Paused: its recorded visitors see the page's default; nobody else lands in it.
    await agent
      .post('/console/api/publish', { document: twoArms(1, 1, true), baseVersion: 2 })
      .expect(200)
    for (const [visitor, variation] of before) {
      expect(await seen(visitor)).toEqual(
        variation === 'other'
          ? { id: 'hero', variation: 'control', control: true, content: {} }
          : {
              id: 'hero',
              variation: 'headline',
              control: false,
              content: { 'hero-title': 'Headline' },
            },
      )
    }
  })

  it('refuses an unknown experience or variation, a bad status, and concluding without a winner', async () => {
    const app = await start()
    const agent = await app.signIn()
    expectError(
      await agent.post('/console/api/status', { experience: 'nope', status: 'paused' }),
      404,
      'experience_not_found',
      'body.experience',
    )
    expectError(
      await agent.post('/console/api/status', {
        experience: 'hero',
        variation: 'nope',
        paused: true,
      }),
      404,
      'variation_not_found',
      'body.variation',
    )
    expectError(
      await agent.post('/console/api/status', { experience: 'hero', status: 'live' }),
      400,
      'invalid_field',
      'body.status',
    )
    expectError(
      await agent.post('/console/api/status', { experience: 'hero', status: 'concluded' }),
      400,
      'invalid_field',
      'body.winner',
    )
    expectError(
      await agent.post('/console/api/status', {
        experience: 'hero',
        status: 'concluded',
        winner: 'nope',
      }),
      400,
      'invalid_config',
      'experiences[0].winner',
    )
    expectError(
      await agent.post('/console/api/status', { experience: 'hero', variation: 'other' }),
      400,
      'invalid_field',
      'body.paused',
    )
    expect(await app.store.read((r) => r.latestConfigVersionNumber())).toBe(1)
  })
})

describe('console API: the audit log', () => {
  it('pages the audit log newest first, and refuses a bad page', async () => {
    const app = await start()
    const agent = await app.signIn()
    await publish(agent, 'Second', 1).expect(200)
    await agent.post('/console/api/status', { experience: 'hero', status: 'paused' }).expect(200)
    const first = await agent.get('/console/api/audit?limit=2').expect(200)
    expect(first.body.entries.map((e: { action: string }) => e.action)).toEqual([
      'status',
      'publish',
    ])
    expect(first.body.entries[0]).toMatchObject({ subject: 'hero', fromVersion: 2, toVersion: 3 })
    const rest = await agent.get(`/console/api/audit?limit=2&before=${first.body.next}`).expect(200)
    expect(rest.body.entries.map((e: { action: string }) => e.action)).toEqual(['seed'])
    expect(rest.body.next).toBeNull()
    expectError(
      await agent.get('/console/api/audit?limit=500'),
      400,
      'invalid_field',
      'query.limit',
    )
  })
})
