import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  changeStatus,
  publishConfig,
  rollbackConfig,
  seedConfig,
  stampConclusions,
} from '../../server/src/config-versions/publish-config.ts'
import { parsePersonalizationConfig } from '../../server/src/personalization/load-config.ts'
import { SqliteStore } from '../../server/src/store/sqlite/sqlite-store.ts'
import { brokenConfig, headlineConfig } from '../helpers/config-documents.ts'

const dir = mkdtempSync(join(tmpdir(), 'parley-publish-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let counter = 0
let store: SqliteStore
beforeEach(() => {
  store = new SqliteStore(join(dir, `publish-${counter++}.db`))
})
afterEach(() => store.close())

const by = (author: string, at: number, note = '') => ({ author, at, note })
const headlineOf = async (number?: number) => {
  const version = await store.read((r) =>
    number === undefined ? r.latestConfigVersion() : r.configVersion(number),
  )
  return version?.document.experiences[0]?.variations[0]?.content['hero-title']
}

/** Publishes the headline config with `headline`, made from `baseVersion`, as ann. */
const publishHeadline = (headline: string, baseVersion: number, at: number) =>
  store.transaction((tx) =>
    publishConfig(tx, {
      ...by('ann', at),
      document: headlineConfig(headline),
      baseVersion,
      kind: 'publish',
    }),
  )

async function seeded(): Promise<void> {
  await store.transaction((tx) =>
    seedConfig(tx, { ...by('parley (seed)', 1_000), document: headlineConfig('Seeded') }),
  )
}

describe('seedConfig', () => {
  it('makes version 1 in an empty store and does nothing once there is one', async () => {
    await seeded()
    const again = await store.transaction((tx) =>
      seedConfig(tx, { ...by('parley (seed)', 2_000), document: headlineConfig('Other') }),
    )
    expect(again).toBeUndefined()
    expect(await store.read((r) => r.latestConfigVersion())).toMatchObject({
      number: 1,
      kind: 'seed',
      baseVersion: null,
    })
    expect(await store.read((r) => r.auditLog(null, 10))).toMatchObject([
      { action: 'seed', fromVersion: null, toVersion: 1, actor: 'parley (seed)' },
    ])
  })
})

describe('publishConfig', () => {
  it('publishes a version made from the newest, with its diff and an audit entry', async () => {
    await seeded()
    const published = await store.transaction((tx) =>
      publishConfig(tx, {
        ...by('ann', 2_000, 'New headline'),
        document: headlineConfig('Fresh'),
        baseVersion: 1,
        kind: 'publish',
      }),
    )
    expect(published.version).toMatchObject({
      number: 2,
      kind: 'publish',
      author: 'ann',
      at: 2_000,
      note: 'New headline',
      baseVersion: 1,
      restoredFrom: null,
    })
    expect(published.diff.experiences.changed).toEqual([
      {
        id: 'hero',
        fields: ['variations'],
        variations: {
          added: [],
          removed: [],
          changed: [
            { id: 'headline', fields: ['content.hero-title'] },
            { id: 'other', fields: ['content.hero-title'] },
          ],
          reordered: false,
        },
      },
    ])
    expect(await headlineOf()).toBe('Fresh')
    const [entry] = await store.read((r) => r.auditLog(null, 1))
    expect(entry).toMatchObject({
      actor: 'ann',
      action: 'publish',
      fromVersion: 1,
      toVersion: 2,
      summary: 'experience hero changed (variations)',
    })
  })

  it('refuses a change made from an older version, says who published what since, and writes nothing', async () => {
    await seeded()
    await store.transaction((tx) =>
      publishConfig(tx, {
        ...by('bob', 2_000, "Bob's headline"),
        document: headlineConfig('Bob'),
        baseVersion: 1,
        kind: 'publish',
      }),
    )
    const refused = await store
      .transaction((tx) =>
        publishConfig(tx, {
          ...by('ann', 3_000),
          document: headlineConfig('Ann'),
          baseVersion: 1,
          kind: 'publish',
        }),
      )
      .catch((error: unknown) => error)
    expect(refused).toMatchObject({
      code: 'config_version_conflict',
      status: 409,
      path: 'body.baseVersion',
      details: {
        baseVersion: 1,
        currentVersion: 2,
        publishedSince: [
          { number: 2, author: 'bob', note: "Bob's headline", at: 2_000, kind: 'publish' },
        ],
      },
    })
    expect((refused as Error).message).toContain('bob published version 2 ("Bob\'s headline")')
    expect(await headlineOf()).toBe('Bob')
    expect(await store.read((r) => r.latestConfigVersionNumber())).toBe(2)
    expect(await store.read((r) => r.auditLog(null, 10))).toHaveLength(2)
  })

  it('refuses a broken config with the loader’s issues and writes nothing', async () => {
    await seeded()
    const refused = await store
      .transaction((tx) =>
        publishConfig(tx, {
          ...by('ann', 2_000),
          document: brokenConfig(),
          baseVersion: 1,
          kind: 'publish',
        }),
      )
      .catch((error: unknown) => error)
    expect(refused).toMatchObject({
      code: 'invalid_config',
      path: 'experiences[0].holdout',
      details: { issues: [{ path: 'experiences[0].holdout', message: 'expected a number' }] },
    })
    expect(await store.read((r) => r.latestConfigVersionNumber())).toBe(1)
  })

  it('asks for confirmation before a change moves visitors who already have a bucket', async () => {
    await seeded()
    const withoutOther = headlineConfig('Seeded')
    ;(withoutOther.experiences as { variations: unknown[] }[])[0]!.variations.pop()
    const publish = (confirmMoves: boolean) =>
      store.transaction((tx) =>
        publishConfig(tx, {
          ...by('ann', 2_000),
          document: withoutOther,
          baseVersion: 1,
          kind: 'publish',
          confirmMoves,
        }),
      )
    await expect(publish(false)).rejects.toMatchObject({
      code: 'confirmation_required',
      details: {
        impacts: [expect.objectContaining({ change: 'variation-removed', variation: 'other' })],
      },
    })
    expect(await store.read((r) => r.latestConfigVersionNumber())).toBe(1)
    const published = await publish(true)
    expect(published.impacts.map((impact) => impact.change)).toEqual(['variation-removed'])
  })
})

describe('rollbackConfig', () => {
  it('makes a new version equal to an earlier one', async () => {
    await seeded()
    await publishHeadline('Second', 1, 2_000)
    const rolled = await store.transaction((tx) =>
      rollbackConfig(tx, { ...by('bob', 3_000), to: 1, baseVersion: 2 }),
    )
    expect(rolled.version).toMatchObject({
      number: 3,
      kind: 'rollback',
      restoredFrom: 1,
      baseVersion: 2,
      note: 'Rolled back to version 1',
    })
    expect(await headlineOf()).toBe('Seeded')
    expect(await headlineOf(2)).toBe('Second')
    const [entry] = await store.read((r) => r.auditLog(null, 1))
    expect(entry).toMatchObject({ action: 'rollback', actor: 'bob', fromVersion: 2, toVersion: 3 })
    expect(entry?.summary).toMatch(/^restored version 1: experience hero changed/)
  })

  it('refuses a version that does not exist, the one in force, or a stale base', async () => {
    await seeded()
    const rollback = (to: number, baseVersion: number) =>
      store.transaction((tx) => rollbackConfig(tx, { ...by('bob', 2_000), to, baseVersion }))
    await expect(rollback(7, 1)).rejects.toMatchObject({
      code: 'config_version_not_found',
      path: 'body.version',
    })
    await expect(rollback(1, 1)).rejects.toMatchObject({
      code: 'invalid_field',
      path: 'body.version',
    })
    await publishHeadline('Second', 1, 3_000)
    await publishHeadline('Third', 2, 4_000)
    // Chosen on version 2: rolling back would undo version 3 unseen.
    await expect(rollback(1, 2)).rejects.toMatchObject({
      code: 'config_version_conflict',
      path: 'body.baseVersion',
      details: { baseVersion: 2, currentVersion: 3 },
    })
    expect(await headlineOf()).toBe('Third')
  })
})

describe('changeStatus', () => {
  it('pauses, resumes and concludes an experience, stamping the conclusion time', async () => {
    await seeded()
    const status = (change: Parameters<typeof changeStatus>[1]['change'], at: number) =>
      store.transaction((tx) => changeStatus(tx, { ...by('ann', at), change }))
    await status({ experience: 'hero', status: 'paused' }, 2_000)
    await status({ experience: 'hero', status: 'running' }, 3_000)
    const concluded = await status(
      { experience: 'hero', status: 'concluded', winner: 'headline' },
      4_000,
    )
    expect(concluded.version.document.experiences[0]).toMatchObject({
      status: 'concluded',
      winner: 'headline',
      concludedAt: new Date(4_000).toISOString(),
    })
    expect(
      (await store.read((r) => r.auditLog(null, 10))).map((e) => [e.action, e.subject, e.summary]),
    ).toEqual([
      ['status', 'hero', 'hero: running → concluded (winner headline)'],
      ['status', 'hero', 'hero: paused → running'],
      ['status', 'hero', 'hero: running → paused'],
      ['seed', null, 'segment everyone added; experience hero added'],
    ])
    const reopened = await status({ experience: 'hero', status: 'running' }, 5_000)
    expect(reopened.version.document.experiences[0]).not.toHaveProperty('winner')
    expect(reopened.version.document.experiences[0]).not.toHaveProperty('concludedAt')
  })

  it('pauses one variation', async () => {
    await seeded()
    const published = await store.transaction((tx) =>
      changeStatus(tx, {
        ...by('ann', 2_000),
        change: { experience: 'hero', variation: 'other', paused: true },
      }),
    )
    expect(published.version.document.experiences[0]?.variations[1]).toMatchObject({
      id: 'other',
      paused: true,
    })
    expect(published.version.note).toBe('hero: variation other paused')
  })

  it('refuses an unknown experience or variation, a winner it lacks, and a stale base', async () => {
    await seeded()
    const status = (change: Parameters<typeof changeStatus>[1]['change'], baseVersion?: number) =>
      store.transaction((tx) =>
        changeStatus(tx, {
          ...by('ann', 2_000),
          change,
          ...(baseVersion === undefined ? {} : { baseVersion }),
        }),
      )
    await expect(status({ experience: 'nope', status: 'paused' })).rejects.toMatchObject({
      code: 'experience_not_found',
      path: 'body.experience',
    })
    await expect(
      status({ experience: 'hero', variation: 'nope', paused: true }),
    ).rejects.toMatchObject({ code: 'variation_not_found', path: 'body.variation' })
    await expect(
      status({ experience: 'hero', status: 'concluded', winner: 'nope' }),
    ).rejects.toMatchObject({ code: 'invalid_config', path: 'experiences[0].winner' })
    await expect(status({ experience: 'hero', status: 'paused' }, 0)).rejects.toMatchObject({
      code: 'config_version_conflict',
    })
    expect(await store.read((r) => r.latestConfigVersionNumber())).toBe(1)
  })
})

describe('stampConclusions', () => {
  const concluded = (extra: string) =>
    parsePersonalizationConfig(
      `experiences:
  - id: e
    status: concluded
    winner: a
${extra}
    variations:
      - { id: a, content: { s: A } }
      - { id: b, content: { s: B } }
`,
      'inline.yaml',
    )

  it('keeps a given time, keeps the base’s for the same winner, and stamps a new conclusion now', () => {
    const given = concluded("    concludedAt: '2026-01-01T00:00:00Z'")
    expect(stampConclusions(given, undefined, 5).experiences[0]?.concludedAt).toBe(
      '2026-01-01T00:00:00Z',
    )
    const fresh = concluded('')
    expect(stampConclusions(fresh, given, 5).experiences[0]?.concludedAt).toBe(
      '2026-01-01T00:00:00Z',
    )
    expect(stampConclusions(fresh, undefined, 5).experiences[0]?.concludedAt).toBe(
      new Date(5).toISOString(),
    )
  })
})
