import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parley } from '../helpers/parley-cli.ts'
import { createTestSchema, postgresAvailable, type TestSchema } from '../helpers/postgres.ts'
import {
  startContainer,
  testCredentials,
  type RunningContainer,
} from '../helpers/start-container.ts'

const writeKey = `Basic ${Buffer.from(`${testCredentials.writeKey}:`).toString('base64')}`
const admin = { authorization: `Bearer ${testCredentials.adminToken}` }

const post = (container: RunningContainer, path: string, body: unknown) =>
  fetch(`${container.url}${path}`, {
    method: 'POST',
    headers: { authorization: writeKey, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then((response) => expect(response.status, path).toBe(200))

/** What an operator would compare: the admin lookups and an experience report. */
async function adminViews(container: RunningContainer): Promise<unknown[]> {
  const views: unknown[] = []
  for (const query of [
    'userId=mover-1',
    'anonymousId=mover-phone',
    'anonymousId=mover-laptop',
    'userId=mover-2',
  ]) {
    const response = await fetch(`${container.url}/v1/admin/profiles/lookup?${query}`, {
      headers: admin,
    })
    expect(response.status, query).toBe(200)
    views.push(await response.json())
  }
  const report = await fetch(`${container.url}/v1/admin/experiences/enterprise-pricing/report`, {
    headers: admin,
  })
  expect(report.status).toBe(200)
  views.push(await report.json())
  return views
}

const dirs: string[] = []
const schemas: TestSchema[] = []
afterAll(async () => {
  for (const schema of schemas) await schema.drop()
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

describe.runIf(postgresAvailable('parley move round trip'))('parley move', () => {
  it('moves SQLite to PostgreSQL and back with the same admin lookups and reports', async () => {
    const first = await startContainer()
    const source = `sqlite:${join(first.dataDir, 'parley.db')}`
    let before: unknown[]
    try {
      // Two devices of one user, a company account, a second user of it, events, an impression.
      await post(first, '/v1/page', { anonymousId: 'mover-phone', properties: { path: '/' } })
      await post(first, '/v1/identify', {
        anonymousId: 'mover-phone',
        userId: 'mover-1',
        traits: {
          email: 'ada@mover.example',
          company: { id: 'mover-co', name: 'Mover', industry: 'Software', employeeCount: 4000 },
        },
      })
      await post(first, '/v1/identify', { anonymousId: 'mover-laptop', userId: 'mover-1' })
      await post(first, '/v1/track', { userId: 'mover-1', event: 'Demo Requested' })
      await post(first, '/v1/identify', {
        anonymousId: 'mover-tablet',
        userId: 'mover-2',
        traits: { email: 'bo@mover.example', company: { id: 'mover-co' } },
      })
      const personalized = await fetch(`${first.url}/v1/personalize`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ anonymousId: 'mover-laptop', page: { path: '/pricing' } }),
      })
      expect(personalized.status).toBe(200)
      before = await adminViews(first)
    } finally {
      await first.stop({ keepData: true })
    }
    dirs.push(first.dataDir)

    const schema = await createTestSchema()
    schemas.push(schema)
    const there = await parley(['move', '--from', source, '--to', schema.url])
    expect(there.code, there.stderr).toBe(0)
    const backDir = mkdtempSync(join(tmpdir(), 'parley-move-back-'))
    dirs.push(backDir)
    const back = await parley([
      'move',
      '--from',
      schema.url,
      '--to',
      `sqlite:${join(backDir, 'parley.db')}`,
    ])
    expect(back.code, back.stderr).toBe(0)
    expect(back.stdout).not.toContain('DIFF')

    const onPostgres = await startContainer({ PARLEY_DATABASE_URL: schema.url })
    try {
      expect(await adminViews(onPostgres)).toEqual(before)
    } finally {
      await onPostgres.stop()
    }
    const returned = await startContainer({
      PARLEY_DATABASE_URL: `sqlite:${join(backDir, 'parley.db')}`,
    })
    try {
      expect(await adminViews(returned)).toEqual(before)
    } finally {
      await returned.stop()
    }
  }, 120_000)

  it('imports only into an empty store, and names the line of a bad record without writing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-import-'))
    dirs.push(dir)
    const source = `sqlite:${join(dir, 'source.db')}`
    const first = await startContainer({ PARLEY_DATABASE_URL: source })
    try {
      await post(first, '/v1/identify', { anonymousId: 'import-1', userId: 'importer' })
    } finally {
      await first.stop()
    }
    const file = join(dir, 'export.ndjson')
    const exported = await parley(['export', '--out', file], { PARLEY_DATABASE_URL: source })
    expect(exported.code, exported.stderr).toBe(0)

    // Into the store it came from: not empty, refused, nothing written.
    const again = await parley(['import', '--in', file], { PARLEY_DATABASE_URL: source })
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('is not empty')

    // A record broken on line 2: reported by line, and the fresh target stays empty.
    const lines = readFileSync(file, 'utf8').split('\n')
    lines[1] = '{"kind":"profile","data":{"id":7}}'
    const broken = join(dir, 'broken.ndjson')
    writeFileSync(broken, lines.join('\n'))
    const target = `sqlite:${join(dir, 'target.db')}`
    const bad = await parley(['import', '--in', broken], { PARLEY_DATABASE_URL: target })
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/line 2\b/)
    const good = await parley(['import', '--in', file], { PARLEY_DATABASE_URL: target })
    expect(good.code, good.stderr).toBe(0)
  }, 60_000)
})
