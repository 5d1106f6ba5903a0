/**
 * Our rate-limit stores against rate-limiter-flexible's, in one run on this machine: hits per
 * second in memory and on PostgreSQL (same pool size, same keys, same concurrency), and what
 * 100,000 distinct keys (a flood of new anonymous ids) leave in memory. Fixed counts, so it
 * stops by itself; PostgreSQL is the local test server, in a schema dropped at the end.
 *
 *   npx tsx bench/rate-limit-stores.ts
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { RateLimiterMemory, RateLimiterPostgres } from 'rate-limiter-flexible'
import { migrate } from '../server/src/store/postgres/postgres-migrate.ts'
import { PostgresRateLimitStore } from '../server/src/store/postgres/postgres-rate-limit-store.ts'
import { MemoryRateLimitStore } from '../server/src/http/rate-limit-store.ts'

const url = process.env.PARLEY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const windowMs = 60_000
const limit = 1_000_000_000 // never refuse: this measures counting

type Hit = (key: string) => Promise<unknown>

async function hitsPerSecond(hit: Hit, total: number, keys: number, concurrency: number) {
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++
        await hit(`ip:10.0.${(i % keys) >> 8}.${(i % keys) & 255}`)
      }
    }),
  )
  return total / ((performance.now() - started) / 1000)
}

function retainedBytes(fill: () => Promise<void>): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  const before = process.memoryUsage().heapUsed
  return fill().then(() => {
    gc?.()
    return process.memoryUsage().heapUsed - before
  })
}

const row = (name: string, ours: number, theirs: number, unit: string) =>
  `${name.padEnd(34)} ${ours.toFixed(0).padStart(10)} ${theirs.toFixed(0).padStart(12)}  ${unit.padEnd(10)} ${(ours / theirs).toFixed(2)}`

export async function benchRateLimits(): Promise<void> {
  const lines = [
    `${'measure'.padEnd(34)} ${'ours'.padStart(10)} ${'flexible'.padStart(12)}  unit       ours/flexible`,
  ]

  const ours = new MemoryRateLimitStore()
  const theirs = new RateLimiterMemory({ points: limit, duration: windowMs / 1000 })
  const oursHit: Hit = (key) => ours.hit(key, windowMs, Date.now())
  const theirsHit: Hit = (key) => theirs.consume(key)
  await hitsPerSecond(oursHit, 50_000, 1_000, 1) // warm-up
  await hitsPerSecond(theirsHit, 50_000, 1_000, 1)
  lines.push(
    row(
      'memory: hits/s, 1,000 keys',
      await hitsPerSecond(oursHit, 500_000, 1_000, 1),
      await hitsPerSecond(theirsHit, 500_000, 1_000, 1),
      'hits/s',
    ),
  )
  const floodKeys = 100_000
  const flood = (hit: Hit) => async () => {
    for (let i = 0; i < floodKeys; i += 1)
      await hit(`anonymousId:${i}-${randomBytes(8).toString('hex')}`)
  }
  // Fresh stores, made before the baseline is read: what remains is what the keys cost.
  const floodOurs = new MemoryRateLimitStore()
  const floodTheirs = new RateLimiterMemory({ points: limit, duration: windowMs / 1000 })
  const oursBytes = await retainedBytes(flood((key) => floodOurs.hit(key, windowMs, Date.now())))
  const theirsBytes = await retainedBytes(flood((key) => floodTheirs.consume(key)))
  lines.push(
    row(
      `memory: bytes per key, ${floodKeys / 1000}k keys`,
      oursBytes / floodKeys,
      theirsBytes / floodKeys,
      'bytes',
    ),
  )
  // Both stay reachable until here, so the collector cannot take what was measured.
  void floodOurs.hit('end', windowMs, Date.now())
  void floodTheirs.consume('end')

  const schema = `parley_bench_rl_${randomBytes(4).toString('hex')}`
  const admin = new pg.Pool({ connectionString: url, max: 1 })
  await admin.query(`CREATE SCHEMA ${schema}`)
  const pool = (name: string) =>
    new pg.Pool({
      connectionString: url,
      max: 2,
      options: `-c search_path=${schema}`,
      application_name: name,
    })
  const oursPool = pool('ours')
  const theirsPool = pool('flexible')
  try {
    // Our table comes with the engine's migrations, as `openRateLimitStore` runs them.
    const migrating = await oursPool.connect()
    await migrate(migrating, schema).finally(() => migrating.release())
    const pgOurs = new PostgresRateLimitStore(oursPool)
    const pgTheirs = await new Promise<RateLimiterPostgres>((done, fail) => {
      const limiter: RateLimiterPostgres = new RateLimiterPostgres(
        {
          storeClient: theirsPool,
          tableName: 'flexible_rate_limits',
          points: limit,
          duration: windowMs / 1000,
        },
        (error?: unknown) =>
          error === undefined || error === null
            ? done(limiter)
            : fail(error instanceof Error ? error : new Error(JSON.stringify(error))),
      )
    })
    // The same limiter on a table made UNLOGGED beforehand, as ours is: what the WAL costs.
    await admin.query(
      `CREATE UNLOGGED TABLE ${schema}.flexible_unlogged (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)`,
    )
    const pgTheirsUnlogged = new RateLimiterPostgres({
      storeClient: theirsPool,
      tableName: 'flexible_unlogged',
      tableCreated: true,
      points: limit,
      duration: windowMs / 1000,
    })
    const pgOursHit: Hit = (key) => pgOurs.hit(key, windowMs, Date.now())
    const pgTheirsHit: Hit = (key) => pgTheirs.consume(key)
    await hitsPerSecond(pgOursHit, 2_000, 500, 4)
    await hitsPerSecond(pgTheirsHit, 2_000, 500, 4)
    const pgUnloggedHit: Hit = (key) => pgTheirsUnlogged.consume(key)
    await hitsPerSecond(pgUnloggedHit, 2_000, 500, 4)
    const results = { ours: [] as number[], theirs: [] as number[], unlogged: [] as number[] }
    const contenders = [
      [results.ours, pgOursHit],
      [results.theirs, pgTheirsHit],
      [results.unlogged, pgUnloggedHit],
    ] as const
    // Each round in another order, so neither side always runs on a warmer server.
    for (let round = 0; round < 3; round += 1) {
      for (let i = 0; i < contenders.length; i += 1) {
        const [into, hit] = contenders[(i + round) % contenders.length] ?? contenders[0]
        into.push(await hitsPerSecond(hit, 10_000, 2_000, 4))
      }
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[1] ?? 0
    lines.push(
      row(
        'postgres: hits/s, 2,000 keys, 4 at once',
        median(results.ours),
        median(results.theirs),
        'hits/s',
      ),
      row(
        'postgres, flexible on UNLOGGED table',
        median(results.ours),
        median(results.unlogged),
        'hits/s',
      ),
    )
  } finally {
    await Promise.all([oursPool.end(), theirsPool.end()])
    await admin.query(`DROP SCHEMA ${schema} CASCADE`)
    await admin.end()
  }
  process.stdout.write(`${lines.join('\n')}\n`)
}

if (import.meta.url === `file://${process.argv[1]}`) await benchRateLimits()
