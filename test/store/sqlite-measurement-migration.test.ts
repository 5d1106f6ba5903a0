import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { sqliteMigrations } from '../../server/src/store/sqlite/sqlite-schema.ts'
import { SqliteStore } from '../../server/src/store/sqlite/sqlite-store.ts'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function sqliteFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-measure-'))
  dirs.push(dir)
  return join(dir, 'parley.db')
}

describe('SQLite measurement migration', () => {
  it('upgrades a database created by the first release without touching its rows', async () => {
    const file = sqliteFile()
    const db = new Database(file)
    db.exec(sqliteMigrations[0] ?? '')
    db.pragma('user_version = 1')
    db.prepare(
      "INSERT INTO profiles (id, user_id, account_id, doc, created_at, updated_at) VALUES ('p', 'u', NULL, ?, 1, 1)",
    ).run(
      JSON.stringify({
        account: null,
        traits: {},
        visitor: { firstSeenAt: 1, lastSeenAt: 1, pageViews: 2, events: 0 },
      }),
    )
    db.close()

    const store = new SqliteStore(file)
    expect((await store.read((r) => r.profile('p')))?.visitor.pageViews).toBe(2)
    expect(
      await store.transaction((tx) =>
        tx.recordImpression({
          profileId: 'p',
          experienceId: 'e',
          variation: 'a',
          control: false,
          at: 1,
        }),
      ),
    ).toBe(true)
    await store.close()
    const reopened = new Database(file)
    expect(reopened.pragma('user_version', { simple: true })).toBe(sqliteMigrations.length)
    reopened.close()
  })
})
