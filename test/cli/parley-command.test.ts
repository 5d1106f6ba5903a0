import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postgresMigrations } from '../../server/src/store/postgres/postgres-schema.ts'
import { sqliteMigrations } from '../../server/src/store/sqlite/sqlite-schema.ts'
import { parley } from '../helpers/parley-cli.ts'
import { createTestSchema, postgresAvailable, type TestSchema } from '../helpers/postgres.ts'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-cli-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('parley --help', () => {
  it('lists the commands and exits 0', async () => {
    const run = await parley(['--help'])
    expect(run.code).toBe(0)
    for (const command of ['migrate', 'check-config FILE', 'doctor', 'export', 'import', 'move']) {
      expect(run.stdout).toContain(command)
    }
  })

  it('exits 2 with the usage on an unknown command or none', async () => {
    const unknown = await parley(['frobnicate'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('unknown command "frobnicate"')
    expect((await parley([])).code).toBe(2)
  })
})

describe('parley check-config', () => {
  it('accepts the demo config and says what it holds', async () => {
    const run = await parley(['check-config', 'config/parley.demo.yaml'])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/valid \(\d+ segments, \d+ experiences\)/)
  })

  it('prints each problem with its path and exits 1', async () => {
    const file = join(dir, 'bad.yaml')
    writeFileSync(
      file,
      [
        'segments:',
        '  - id: big',
        '    rule: { attribute: company.employees, operator: gt, value: 100 }',
        'experiences:',
        '  - id: hero',
        '    slot: hero',
        '    audience: [nobody-knows-me]',
        '    variations:',
        '      - { id: a, weight: heavy, content: { headline: Hi } }',
      ].join('\n'),
    )
    const run = await parley(['check-config', file])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('experiences[0].variations[0].weight')
    expect(run.stderr.split('\n').filter((line) => line.startsWith('  ')).length).toBeGreaterThan(1)
  })

  it('exits 1 for a file that does not exist', async () => {
    const run = await parley(['check-config', join(dir, 'missing.yaml')])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('cannot read the file')
  })
})

describe('parley migrate and doctor on SQLite', () => {
  it('creates the schema, is a no-op the second time, and doctor then finds it current', async () => {
    const env = { PARLEY_DATABASE_URL: `sqlite:${join(dir, 'fresh', 'parley.db')}` }
    const before = await parley(['doctor'], env)
    expect(before.code).toBe(0)
    expect(before.stdout).toMatch(/warn\s+schema\s+not created yet/)

    const first = await parley(['migrate'], env)
    expect(first.code).toBe(0)
    expect(first.stdout).toContain(`from version 0 to ${sqliteMigrations.length}`)
    const db = new Database(join(dir, 'fresh', 'parley.db'), { readonly: true })
    expect(db.pragma('user_version', { simple: true })).toBe(sqliteMigrations.length)
    db.close()
    const second = await parley(['migrate'], env)
    expect(second.code).toBe(0)
    expect(second.stdout).toContain('nothing to apply')

    const after = await parley(['doctor', '--json'], env)
    expect(after.code).toBe(0)
    const report = JSON.parse(after.stdout)
    expect(report.ok).toBe(true)
    expect(report.findings).toContainEqual({
      check: 'schema',
      status: 'ok',
      detail: `version ${sqliteMigrations.length} of ${sqliteMigrations.length}`,
    })
    expect(report.settings.PARLEY_WRITE_KEYS).toBe('demo value')
  })

  it('refuses a store written by a newer Parley', async () => {
    const file = join(dir, 'newer.db')
    const db = new Database(file)
    db.pragma('user_version = 99')
    db.close()
    const env = { PARLEY_DATABASE_URL: `sqlite:${file}` }
    const migrate = await parley(['migrate'], env)
    expect(migrate.code).toBe(1)
    expect(migrate.stderr).toContain('newer than this Parley knows')
    const doctor = await parley(['doctor'], env)
    expect(doctor.code).toBe(1)
    expect(doctor.stdout).toMatch(/fail\s+schema\s+version 99/)
  })
})

describe('parley doctor', () => {
  it('names every bad variable, never prints a secret, and exits 1', async () => {
    const run = await parley(['doctor'], {
      PARLEY_ADMIN_TOKEN: 'a-very-secret-admin-token',
      PARLEY_PG_POOL_SIZE: 'many',
      PORT: '99999',
    })
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/fail\s+environment\s+PARLEY_PG_POOL_SIZE/)
    expect(run.stdout).toMatch(/fail\s+environment\s+PORT: /)
    expect(run.stdout).not.toContain('a-very-secret-admin-token')
  })

  it('fails when the store does not answer, and so does migrate', async () => {
    const env = {
      PARLEY_DATABASE_URL: 'postgres://parley:hunter2@127.0.0.1:1/parley',
      PARLEY_PG_CONNECT_TIMEOUT_MS: '1000',
    }
    const migrate = await parley(['migrate'], env)
    expect(migrate.code).toBe(1)
    expect(migrate.stderr).toContain('parley migrate: ')
    const run = await parley(['doctor'], env)
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(
      /fail\s+store\s+postgres:\/\/parley:\*\*\*@127\.0\.0\.1:1\/parley does not answer/,
    )
    expect(run.stdout).not.toContain('hunter2')
  })
})

describe.runIf(postgresAvailable('parley migrate and doctor on PostgreSQL'))(
  'parley migrate and doctor on PostgreSQL',
  () => {
    let schema: TestSchema
    beforeAll(async () => {
      schema = await createTestSchema()
    })
    afterAll(() => schema.drop())

    it('migrates the schema once and doctor reports its version and the clock', async () => {
      const env = { PARLEY_DATABASE_URL: schema.url }
      const first = await parley(['migrate'], env)
      expect(first.code, first.stderr).toBe(0)
      expect(first.stdout).toContain(`from version 0 to ${postgresMigrations.length}`)
      const rows = await schema.query<{ version: number }>(
        'SELECT MAX(version)::int AS version FROM parley_schema_migrations',
      )
      expect(rows[0]?.version).toBe(postgresMigrations.length)
      expect((await parley(['migrate'], env)).stdout).toContain('nothing to apply')

      const doctor = await parley(['doctor'], env)
      expect(doctor.code, doctor.stdout).toBe(0)
      expect(doctor.stdout).toMatch(/ok\s+store\s+.* answers \(PostgreSQL \d+/)
      expect(doctor.stdout).toMatch(
        new RegExp(
          `ok\\s+schema\\s+version ${postgresMigrations.length} of ${postgresMigrations.length}`,
        ),
      )
      expect(doctor.stdout).toMatch(/ok\s+clock\s+.*the database's clock is [+-]\d+ ms/)
    })
  },
)
