import supertest from 'supertest'
import { describe, expect, it } from 'vitest'
import {
  authoringApps,
  testPassword,
  type AuthoringApp,
  type ConsoleAgent,
} from '../helpers/authoring-app.ts'
import { headlineConfig } from '../helpers/config-documents.ts'

/** Each test's app, closed after it. */
const start = authoringApps()

/** Signs in a person with this role (added first). */
async function person(app: AuthoringApp, name: string, role: 'editor' | 'viewer') {
  await app.addUser(name, role)
  return app.signIn({ name, password: testPassword })
}

/** The visible text of a page's main landmark, spaces collapsed. */
function mainText(page: string): string {
  const main = /<main[^>]*>([\s\S]*)<\/main>/.exec(page)?.[1] ?? ''
  return main
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, ' ')
}

/** A rollback sent as the history page's form sends it. */
function rollbackForm(app: AuthoringApp, agent: ConsoleAgent, version: number, fields: object) {
  return supertest(app.app)
    .post(`/console/versions/${version}/rollback`)
    .set('Cookie', agent.cookie)
    .type('form')
    .send({ _csrf: agent.csrf, ...fields })
}

const publish = (agent: ConsoleAgent, document: unknown, baseVersion: number, note = '') =>
  agent.post('/console/api/publish', { document, baseVersion, note }).expect(200)

describe('the editor’s pages', () => {
  it('load the console’s own script under a CSP that allows it and nothing else', async () => {
    const app = await start()
    const agent = await app.signIn()
    for (const path of [
      '/console/edit/segment',
      '/console/edit/segment?id=everyone',
      '/console/edit/experience?id=hero',
      '/console/publish',
    ]) {
      const page = await agent.get(path).expect(200)
      const csp = String(page.headers['content-security-policy'])
      expect(csp).toContain("script-src 'self'")
      expect(csp).toContain("connect-src 'self'")
      expect(csp).toContain("default-src 'none'")
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/)
      // One script, from the container, and no inline one.
      expect(page.text.match(/<script/g)).toHaveLength(1)
      expect(page.text).toContain('<script src="/console/assets/editor.js" defer></script>')
      expect(page.text).toContain('<noscript>')
    }
    expect((await agent.get('/console/edit/segment?id=everyone')).text).toMatch(
      /data-view="segment"\s+data-id="everyone"/,
    )
    // Every other page keeps the CSP with no script at all, and loads none.
    for (const path of ['/console/experiences', '/console/versions', '/console/audit']) {
      const page = await agent.get(path).expect(200)
      expect(page.headers['content-security-policy']).not.toContain('script-src')
      expect(page.text).not.toContain('<script')
    }
  })

  it('serve the editor’s script with an ETag, and 304 when the browser has it', async () => {
    const app = await start()
    const script = await supertest(app.app).get('/console/assets/editor.js').expect(200)
    expect(script.headers['content-type']).toBe('application/javascript; charset=utf-8')
    expect(script.text).toContain('/console/api/validate')
    expect(script.text).not.toContain('innerHTML')
    const etag = String(script.headers.etag)
    await supertest(app.app).get('/console/assets/editor.js').set('If-None-Match', etag).expect(304)
  })

  it('say why they are read-only, to a viewer and when the config is pinned to a file', async () => {
    const app = await start()
    const viewer = await person(app, 'val', 'viewer')
    const page = await viewer.get('/console/edit/experience?id=hero').expect(200)
    expect(mainText(page.text)).toContain('Read-only: you are signed in as val, a viewer.')
    const editor = await person(app, 'eve', 'editor')
    expect(mainText((await editor.get('/console/edit/experience?id=hero')).text)).not.toContain(
      'Read-only',
    )
    await app.close()
    const pinned = await start({ pinned: true })
    const operator = await pinned.signIn()
    expect(mainText((await operator.get('/console/edit/segment').expect(200)).text)).toContain(
      'Read-only: PARLEY_CONFIG_SOURCE=file pins the config to config/pinned.yaml',
    )
  })
})

describe('the lists offer editing to editors only', () => {
  it('shows each experience’s status, and New and Edit links to an editor', async () => {
    const app = await start()
    const agent = await app.signIn()
    await publish(
      agent,
      headlineConfig('Done', {
        status: 'concluded',
        winner: 'headline',
        variations: [
          { id: 'headline', content: { 'hero-title': 'Done' } },
          { id: 'other', weight: 0, paused: true, content: { 'hero-title': 'x' } },
        ],
      }),
      1,
    )
    const list = await agent.get('/console/experiences').expect(200)
    const text = mainText(list.text)
    expect(text).toContain('concluded winner: headline')
    expect(text).toContain('paused: other')
    expect(list.text).toContain('href="/console/edit/experience"')
    expect(list.text).toMatch(/href="\/console\/edit\/experience\?id=hero"\s*>Edit hero</)
    const segments = await agent.get('/console/segments').expect(200)
    expect(segments.text).toContain('href="/console/edit/segment"')
    expect(segments.text).toContain('>Edit everyone<')
    expect(mainText((await agent.get('/console/experiences/hero')).text)).toContain(
      'Status concluded winner: headline',
    )
  })

  it('offers a viewer no New, Edit, Publish, rollback or Delete', async () => {
    const app = await start()
    const operator = await app.signIn()
    await publish(operator, headlineConfig('Second'), 1)
    await supertest(app.app)
      .post('/v1/identify')
      .auth('test-write-key', '')
      .send({ userId: 'ann', traits: { plan: 'pro' } })
      .expect(200)
    const viewer = await person(app, 'val', 'viewer')
    const pages = await Promise.all(
      ['/console/experiences', '/console/segments', '/console/versions', '/console/versions/1'].map(
        (path) => viewer.get(path).expect(200),
      ),
    )
    for (const page of pages) {
      expect(page.text).not.toMatch(
        />New (segment|experience)<|>Edit |Roll back|\/console\/publish/,
      )
    }
    expect(pages[0]?.text).toContain('>View hero in the editor<')
    const search = await viewer.get('/console/profiles?by=userId&q=ann').expect(200)
    const profile = /href="(\/console\/profiles\/[^"]+)"/.exec(search.text)?.[1] ?? ''
    const detail = await viewer.get(profile).expect(200)
    expect(detail.text).toContain('Export (JSON)')
    expect(detail.text).not.toContain('Delete…')
    expect(mainText((await viewer.get(`${profile}/delete`).expect(200)).text)).toContain(
      'Only an editor can delete a profile',
    )
  })
})

describe('the version history', () => {
  it('lists who published what and when, newest first, with its note and change', async () => {
    const app = await start()
    const agent = await app.signIn()
    await publish(agent, headlineConfig('Second'), 1, 'Warmer headline <b>now</b>')
    const page = await agent.get('/console/versions').expect(200)
    const text = mainText(page.text)
    expect(text).toMatch(
      /2 in force .* operator published experience hero changed \(variations\) Warmer headline/,
    )
    expect(text).toContain('1 ')
    expect(text).toContain('seeded from the file')
    // A note is text, never markup.
    expect(page.text).toContain('Warmer headline &lt;b&gt;now&lt;/b&gt;')
    // A button per earlier version, named for it (the version number is for screen readers).
    expect(mainText(page.text)).toContain('Roll back to version 1')
    expect(mainText(page.text)).not.toContain('Roll back to version 2')
  })

  it('shows one version: its change from the one before, and its config', async () => {
    const app = await start()
    const agent = await app.signIn()
    await publish(agent, headlineConfig('Second', { holdout: 0.2 }), 1)
    const text = mainText((await agent.get('/console/versions/2').expect(200)).text)
    expect(text).toContain('Changes from version 1')
    expect(text).toContain('Experience hero changed: holdout, variations')
    expect(text).toContain('Variation headline changed: content.hero-title')
    expect(text).toMatch(/What it did to visitors .*hero/)
    expect(text).toContain('hero-title: Second')
    // The newest version is in force: only earlier ones can be rolled back to.
    expect(text).not.toContain('Roll back')
    expect(mainText((await agent.get('/console/versions/1')).text)).toContain(
      'Roll back to version 1',
    )
    expect((await agent.get('/console/versions/9')).status).toBe(404)
    expect((await agent.get('/console/versions/nine')).status).toBe(400)
  })

  it('rolls back in one action: the earlier config is served again', async () => {
    const app = await start()
    const agent = await app.signIn()
    await publish(agent, headlineConfig('Second'), 1)
    const done = await rollbackForm(app, agent, 1, { baseVersion: '2', note: 'Too loud' })
    expect(done.status).toBe(303)
    expect(done.headers.location).toBe('/console/versions?rolledBack=3')
    const page = await agent.get(done.headers.location as string).expect(200)
    expect(mainText(page.text)).toContain('Version 3 restores version 1')
    const config = await agent.get('/console/api/config').expect(200)
    expect(config.body.version).toMatchObject({
      number: 3,
      kind: 'rollback',
      restoredFrom: 1,
      note: 'Too loud',
    })
    expect(config.body.document.experiences[0].variations[0].content['hero-title']).toBe('Seeded')
    // In force on this instance before the answer.
    expect(app.live.version?.number).toBe(3)
  })

  it('refuses a rollback made from an older version, saying who published since', async () => {
    const app = await start()
    const agent = await app.signIn()
    await publish(agent, headlineConfig('Second'), 1)
    await publish(agent, headlineConfig('Third'), 2, 'Third try')
    const stale = await rollbackForm(app, agent, 1, { baseVersion: '2' })
    expect(stale.status).toBe(409)
    expect(mainText(stale.text)).toContain('operator published version 3 ("Third try")')
    expect((await agent.get('/console/api/config')).body.version.number).toBe(3)
  })

  it('asks again before a rollback that moves visitors who have a variation', async () => {
    const app = await start()
    const agent = await app.signIn()
    const three = headlineConfig('Three', {
      variations: [
        { id: 'headline', content: { 'hero-title': 'A' } },
        { id: 'other', weight: 0, content: { 'hero-title': 'B' } },
        { id: 'third', weight: 1, content: { 'hero-title': 'C' } },
      ],
    })
    await publish(agent, three, 1)
    const asked = await rollbackForm(app, agent, 1, { baseVersion: '2' })
    expect(asked.status).toBe(409)
    expect(mainText(asked.text)).toContain('moves visitors who already saw a variation')
    expect(asked.text).toContain('name="confirmMoves" value="true"')
    expect((await agent.get('/console/api/config')).body.version.number).toBe(2)
    const confirmed = await rollbackForm(app, agent, 1, { baseVersion: '2', confirmMoves: 'true' })
    expect(confirmed.status).toBe(303)
    expect((await agent.get('/console/api/config')).body.version.number).toBe(3)
  })

  it('refuses a viewer’s rollback, and any while the config is pinned', async () => {
    const app = await start()
    const operator = await app.signIn()
    await publish(operator, headlineConfig('Second'), 1)
    const viewer = await person(app, 'val', 'viewer')
    const refused = await rollbackForm(app, viewer, 1, { baseVersion: '2' })
    expect(refused.status).toBe(403)
    expect(mainText(refused.text)).toContain('insufficient_role')
    const forged = await supertest(app.app)
      .post('/console/versions/1/rollback')
      .set('Cookie', operator.cookie)
      .type('form')
      .send({ baseVersion: '2' })
    expect(forged.status).toBe(403)
    expect((await operator.get('/console/api/config')).body.version.number).toBe(2)
    await app.close()
    const pinned = await start({ pinned: true })
    const agent = await pinned.signIn()
    const page = await agent.get('/console/versions').expect(200)
    expect(page.text).not.toContain('Roll back')
    const blocked = await rollbackForm(pinned, agent, 1, { baseVersion: '1' })
    expect(blocked.status).toBe(409)
    expect(mainText(blocked.text)).toContain('PARLEY_CONFIG_SOURCE=file')
  })
})

describe('the audit log page', () => {
  it('lists every publish, rollback and status change with who and what, paged', async () => {
    const app = await start()
    const agent = await app.signIn()
    await publish(agent, headlineConfig('Second'), 1)
    await agent
      .post('/console/api/status', { experience: 'hero', status: 'paused', baseVersion: 2 })
      .expect(200)
    await rollbackForm(app, agent, 2, { baseVersion: '3' }).expect(303)
    await app.addUser('ann', 'viewer')
    const text = mainText((await agent.get('/console/audit').expect(200)).text)
    expect(text).toMatch(/test added a person .* ann/)
    expect(text).toMatch(/operator rolled back version 3 → version 4 restored version 2/)
    expect(text).toMatch(
      /operator changed a status version 2 → version 3 hero hero: running → paused/,
    )
    expect(text).toMatch(/operator published version 1 → version 2 experience hero changed/)
    expect(text).toContain('seeded')
    await app.store.transaction(async (tx) => {
      for (let i = 0; i < 25; i++) {
        await tx.appendAuditEntry({
          at: app.now(),
          actor: 'test',
          action: 'user.add',
          fromVersion: null,
          toVersion: null,
          subject: `user-${i}`,
          summary: `added user-${i}`,
        })
      }
    })
    const first = await agent.get('/console/audit').expect(200)
    const older = /href="(\/console\/audit\?before=\d+)"/.exec(first.text)?.[1]
    expect(older).toBeDefined()
    const second = mainText((await agent.get(older ?? '').expect(200)).text)
    expect(second).toContain('seeded')
    expect(second).not.toContain('user-24')
  })
})
