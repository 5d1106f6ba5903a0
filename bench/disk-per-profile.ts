import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { identifyEvent } from '../server/src/pipeline/identify-event.ts'
import { ingest } from '../server/src/pipeline/ingest.ts'
import { SqliteStore } from '../server/src/store/sqlite/sqlite-store.ts'

/**
 * Disk per profile on SQLite: identifies `PARLEY_BENCH_PROFILES` (default 20,000) known users,
 * each from its own device with 20 traits, through the real pipeline, then checkpoints the WAL
 * and divides the file's size by the number of profiles. Prints bytes per profile and profiles
 * per GiB, with the bytes of each table and index (SQLite's dbstat).
 *
 *   npm run bench -- disk
 */
export async function benchDisk(): Promise<{ bytesPerProfile: number; lasting: number }> {
  const profiles = Number(process.env.PARLEY_BENCH_PROFILES ?? 20_000)
  const dir = mkdtempSync(join(tmpdir(), 'parley-disk-'))
  const file = join(dir, 'disk.db')
  try {
    const store = new SqliteStore(file, { synchronous: 'NORMAL' })
    const started = Date.now()
    for (let start = 0; start < profiles; start += 500) {
      await Promise.all(
        Array.from({ length: Math.min(500, profiles - start) }, (_, offset) => {
          const i = start + offset
          return ingest(
            identifyEvent({
              channel: 'server',
              source: 'bench',
              anonymousId: randomUUID(),
              userId: `user-${i}`,
              traits: twentyTraits(i),
              at: started + i,
            }),
            { store, newId: randomUUID },
          )
        }),
      )
    }
    await store.close()
    const db = new Database(file)
    db.pragma('wal_checkpoint(TRUNCATE)')
    const tables = db
      .prepare(`SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC`)
      .all() as { name: string; bytes: number }[]
    db.close()
    const bytes = statSync(file).size
    const bytesPerProfile = bytes / profiles
    // Message keys are kept for the dedup window only (`PARLEY_DEDUP_WINDOW_HOURS`, 7 days by default, pruned hourly):
    // a store's size in the long run is its profiles without them.
    const messageBytes = tables
      .filter((table) => table.name.startsWith('messages') || table.name.includes('_messages_'))
      .reduce((sum, table) => sum + table.bytes, 0)
    const lasting = (bytes - messageBytes) / profiles
    console.log(
      `\n## Disk per profile, SQLite (${profiles} known users, one device each, 20 traits)\n`,
    )
    console.log(
      `${bytes} bytes in the file: ${bytesPerProfile.toFixed(0)} B per profile, ` +
        `${Math.floor(2 ** 30 / bytesPerProfile).toLocaleString('en')} profiles per GiB with this run's message keys; ` +
        `${lasting.toFixed(0)} B and ${Math.floor(2 ** 30 / lasting).toLocaleString('en')} per GiB without them, ` +
        `as after the dedup window (target >= 1,000,000)\n`,
    )
    console.log('| table or index | bytes per profile |\n|---|---|')
    for (const table of tables) {
      console.log(`| ${table.name} | ${(table.bytes / profiles).toFixed(0)} |`)
    }
    return { bytesPerProfile, lasting }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Twenty traits of the kinds sites send: names, contact, plan, counters, flags, a date. */
function twentyTraits(i: number): Record<string, string | number | boolean> {
  return {
    email: `user-${i}@company-${i % 500}.com`,
    firstName: `First${i}`,
    lastName: `Last${i}`,
    phone: `+1555${String(i).padStart(7, '0')}`,
    title: i % 2 === 0 ? 'Engineer' : 'Manager',
    plan: ['free', 'pro', 'enterprise'][i % 3] ?? 'free',
    seats: i % 40,
    country: 'DE',
    city: 'Berlin',
    language: 'de',
    timezone: 'Europe/Berlin',
    signupSource: 'webinar',
    newsletter: i % 2 === 0,
    trial: i % 5 === 0,
    logins: i % 100,
    score: (i % 1000) / 10,
    role: 'admin',
    industry: 'Software',
    referrer: 'google',
    createdAt: '2026-01-15T10:00:00.000Z',
  }
}
