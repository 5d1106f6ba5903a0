import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { LiveConfig, propagationBoundMs } from '../../server/src/config-versions/live-config.ts'
import { publishConfig } from '../../server/src/config-versions/publish-config.ts'
import { silentLogger } from '../../server/src/config/logger.ts'
import { PostgresStore } from '../../server/src/store/postgres/postgres-store.ts'
import { seedUser, testPassword } from '../helpers/authoring-app.ts'
import { headlineConfig } from '../helpers/config-documents.ts'
import { consoleSession, post, type CallResult } from '../helpers/container-calls.ts'
import { evalContext } from '../helpers/eval-context.ts'
import { createTestSchema, postgresAvailable, type TestSchema } from '../helpers/postgres.ts'
import { startContainers, type RunningContainer } from '../helpers/start-container.ts'

/** The headline a container serves on `/`. */
async function headline(container: RunningContainer): Promise<string | undefined> {
  const answer = await post(container, '/v1/personalize', {
    anonymousId: 'propagation-visitor',
    page: { path: '/' },
  })
  const experiences = answer.body.experiences as { content: Record<string, string> }[]
  return experiences[0]?.content['hero-title']
}

/** Ms from now until `container` serves `expected`; throws past twice the bound. */
async function msUntilServed(container: RunningContainer, expected: string): Promise<number> {
  const start = Date.now()
  while ((await headline(container)) !== expected) {
    if (Date.now() - start > 2 * propagationBoundMs) {
      throw new Error(`"${expected}" not served after ${2 * propagationBoundMs} ms`)
    }
    await new Promise((done) => setTimeout(done, 20))
  }
  return Date.now() - start
}

describe.skipIf(!postgresAvailable('the config propagation tests'))(
  'Config versions on two container instances sharing PostgreSQL',
  () => {
    let schema: TestSchema
    let dir: string
    let instances: RunningContainer[] = []
    const [a, b] = [() => instances[0] as RunningContainer, () => instances[1] as RunningContainer]

    beforeAll(async () => {
      schema = await createTestSchema()
      dir = mkdtempSync(join(tmpdir(), 'parley-propagation-'))
      const file = join(dir, 'parley.yaml')
      writeFileSync(file, stringify(headlineConfig('Seeded')))
      // Both start at once on an empty schema: one of them seeds version 1.
      instances = await startContainers(2, { PARLEY_DATABASE_URL: schema.url, PARLEY_CONFIG: file })
      const store = await PostgresStore.open({ url: schema.url, poolSize: 2 })
      try {
        await seedUser(store, 'ann', 'editor')
        await seedUser(store, 'bob', 'editor')
      } finally {
        await store.close()
      }
    })
    afterAll(async () => {
      await Promise.all(instances.map((running) => running.stop()))
      await schema.drop()
      rmSync(dir, { recursive: true, force: true })
    })

    const versions = async () =>
      schema.query<{ number: number; author: string }>(
        'SELECT number, author FROM config_versions ORDER BY number',
      )

    it('seeds the empty store once when two instances start together', async () => {
      expect(await versions()).toEqual([{ number: 1, author: 'parley' }])
      expect(await headline(a())).toBe('Seeded')
      expect(await headline(b())).toBe('Seeded')
    })

    it(`serves a version published on one instance on the other within ${propagationBoundMs} ms`, async () => {
      const ann = await consoleSession(a(), { name: 'ann', password: testPassword })
      const published = await ann.post('/console/api/publish', {
        document: headlineConfig('Published on A'),
        baseVersion: 1,
        note: 'Propagation',
      })
      expect(published.status, JSON.stringify(published.body)).toBe(200)
      expect(await headline(a())).toBe('Published on A')
      expect(await msUntilServed(b(), 'Published on A')).toBeLessThanOrEqual(propagationBoundMs)
    })

    it('tells the second of two people publishing from the same version, on two instances at once, and overwrites nothing', async () => {
      const [ann, bob] = await Promise.all([
        consoleSession(a(), { name: 'ann', password: testPassword }),
        consoleSession(b(), { name: 'bob', password: testPassword }),
      ])
      const base = Number(
        ((await ann.get('/console/api/config')).body.version as { number: number }).number,
      )
      const answers: CallResult[] = await Promise.all([
        ann.post('/console/api/publish', { document: headlineConfig('Ann'), baseVersion: base }),
        bob.post('/console/api/publish', { document: headlineConfig('Bob'), baseVersion: base }),
      ])
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409])
      const winner = answers[0]?.status === 200 ? 'Ann' : 'Bob'
      const loser = answers.find((answer) => answer.status === 409)
      expect(loser?.body).toMatchObject({
        error: {
          code: 'config_version_conflict',
          details: {
            baseVersion: base,
            currentVersion: base + 1,
            publishedSince: [{ number: base + 1, author: winner.toLowerCase() }],
          },
        },
      })
      expect((await versions()).map((v) => v.number)).toEqual(
        Array.from({ length: base + 1 }, (_, i) => i + 1),
      )
      await msUntilServed(a(), winner)
      await msUntilServed(b(), winner)
    })

    it(`rolls back on one instance and the other serves it within ${propagationBoundMs} ms`, async () => {
      const operator = await consoleSession(b())
      const current = (await operator.get('/console/api/config')).body.version as { number: number }
      const rolled = await operator.post('/console/api/rollback', {
        version: 1,
        baseVersion: current.number,
      })
      expect(rolled.status, JSON.stringify(rolled.body)).toBe(200)
      expect(await msUntilServed(a(), 'Seeded')).toBeLessThanOrEqual(propagationBoundMs)
    })
  },
)

describe.skipIf(!postgresAvailable('the config change feed test'))(
  'The config change on PostgreSQL NOTIFY',
  () => {
    it('reaches another store’s LiveConfig through the change feed alone (no poll)', async () => {
      const schema = await createTestSchema()
      const writer = await PostgresStore.open({ url: schema.url, poolSize: 2 })
      const reader = await PostgresStore.open({ url: schema.url, poolSize: 2 })
      const live = await LiveConfig.fromStore({
        store: reader,
        logger: silentLogger,
        clock: Date.now,
        seed: () => ({ document: headlineConfig('Seeded'), source: 'test' }),
        // A poll this slow cannot be what brings the version.
        pollMs: 600_000,
      })
      try {
        await writer.transaction((tx) =>
          publishConfig(tx, {
            author: 'ann',
            at: Date.now(),
            note: '',
            document: headlineConfig('Notified'),
            baseVersion: 1,
            kind: 'publish',
          }),
        )
        const served = () =>
          live.engine.decide(evalContext(), 'p').experiences[0]?.content['hero-title']
        const start = Date.now()
        while (served() !== 'Notified') {
          if (Date.now() - start > propagationBoundMs)
            throw new Error('no NOTIFY brought the version')
          await new Promise((done) => setTimeout(done, 10))
        }
        expect(live.version?.number).toBe(2)
      } finally {
        live.close()
        await writer.close()
        await reader.close()
        await schema.drop()
      }
    })
  },
)
