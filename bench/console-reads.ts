/**
 * Console reads on a big store: sizing every segment's audience from a 2,000-profile sample
 * against the exact count over every profile (the baseline), and the email search (a scan)
 * against a user-id lookup (an index), on one SQLite file, in the same run.
 *
 *   npm run bench -- console        (PARLEY_BENCH_PROFILES=1000000 by default; BENCH_ROUNDS=5)
 *
 * Setup writes the profiles straight into the file with one prepared INSERT (not through the
 * pipeline: this measures reads). Prints the median time of each read and the ratios.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { measureAudiences } from '../server/src/console/audience.ts'
import { searchProfiles } from '../server/src/console/profile-search.ts'
import { PersonalizationEngine } from '../server/src/personalization/engine.ts'
import { readPersonalizationConfig } from '../server/src/personalization/load-config.ts'
import { newProfile } from '../server/src/profile/profile.ts'
import { SqliteStore } from '../server/src/store/sqlite/sqlite-store.ts'
import { accountParams, profileParams } from '../server/src/store/store-rows.ts'
import { traitsToTree } from '../server/src/traits/trait-tree.ts'

const rounds = Number(process.env.BENCH_ROUNDS ?? 5)

async function median(fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < rounds; i++) {
    const start = process.hrtime.bigint()
    await fn()
    times.push(Number(process.hrtime.bigint() - start) / 1e6)
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)] ?? NaN
}

/** Runs the console-reads benchmark; `seconds` is unused (it is bounded by its row count). */
export async function benchConsoleReads(): Promise<void> {
  const total = Number(process.env.PARLEY_BENCH_PROFILES ?? 1_000_000)
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-console-'))
  const file = join(dir, 'parley.db')
  try {
    await new SqliteStore(file, { synchronous: 'NORMAL' }).close() // creates the schema
    const db = new Database(file)
    const now = Date.now()
    const insertAccount = db.prepare(
      'INSERT INTO accounts (id, doc, created_at, updated_at) VALUES (?, ?, ?, ?)',
    )
    const insertProfile = db.prepare(
      'INSERT INTO profiles (id, user_id, account_id, doc, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
    )
    const started = Date.now()
    db.transaction(() => {
      for (let a = 0; a < 1000; a++) {
        const traits = {
          name: `Company ${a}`,
          employeeCount: (a * 37) % 5000,
          industry: a % 3 === 0 ? 'Software' : 'Retail',
        }
        insertAccount.run(
          ...accountParams({
            id: `acc-${a}`,
            traits: traitsToTree(traits, now),
            createdAt: now,
            updatedAt: now,
          }),
        )
      }
      for (let i = 0; i < total; i++) {
        const id = crypto.randomUUID()
        insertProfile.run(
          ...profileParams({
            ...newProfile(id, `user-${i}`, now),
            account: { id: `acc-${i % 1000}`, source: 'company', at: now },
            traits: traitsToTree(
              { email: `person${i}@company${i % 1000}.com`, plan: i % 4 === 0 ? 'pro' : 'free' },
              now,
            ),
            visitor: {
              firstSeenAt: now,
              lastSeenAt: now,
              pageViews: i % 7,
              events: 0,
              sessions: i % 3,
              visitedPaths: i % 5 === 0 ? [{ path: '/pricing', at: now }] : [],
            },
          }),
        )
      }
    })()
    db.close()
    console.log(
      `seeded ${total.toLocaleString('en-US')} profiles in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    )

    const store = new SqliteStore(file)
    const engine = new PersonalizationEngine(
      readPersonalizationConfig(resolve(import.meta.dirname, '../config/parley.demo.yaml')),
    )
    const sampled = await median(() => store.read((r) => measureAudiences(r, engine.config, now)))
    const exact = await median(() =>
      store.read((r) => measureAudiences(r, engine.config, now, total)),
    )
    const wanted = `person${total - 1}@company${(total - 1) % 1000}.com`
    const byEmail = await median(async () => {
      const hits = await store.read((r) => searchProfiles(r, 'email', wanted))
      if (hits.length !== 1) throw new Error(`email search found ${hits.length}`)
    })
    const byUserId = await median(async () => {
      const hits = await store.read((r) => searchProfiles(r, 'userId', `user-${total - 1}`))
      if (hits.length !== 1) throw new Error(`user-id search found ${hits.length}`)
    })
    await store.close()
    const rows = [
      ['audiences, 2,000-profile sample', sampled],
      ['audiences, exact over all (baseline)', exact],
      ['search by email (scan)', byEmail],
      ['search by user id (index, baseline)', byUserId],
    ] as const
    console.log(`\nconsole reads, ${total.toLocaleString('en-US')} profiles, median of ${rounds}:`)
    for (const [name, ms] of rows)
      console.log(`  ${name.padEnd(40)} ${ms.toFixed(1).padStart(10)} ms`)
    console.log(`  exact / sampled audiences: ${(exact / sampled).toFixed(0)}x`)
    console.log(`  email / user-id search:    ${(byEmail / byUserId).toFixed(0)}x`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) await benchConsoleReads()
