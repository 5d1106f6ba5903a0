/**
 * The store and pipeline's own cost, without HTTP: drives identify calls (the identify mix of
 * `identify-throughput.ts`), then personalize reads of the known users with no cache, then
 * browser page views of their devices with the payload their answer carries, 32 in flight, straight into `ingest` and `Personalizer` on a SQLite file (`synchronous=FULL`), and
 * prints calls per second, the CPU per call of the whole process (every thread: the event
 * loop and the SQLite threads) and the p99 of a call's time (a write waits for its group's
 * commit, so a slow commit shows there). Pass another checkout's root to measure its code the same way:
 *
 *   npx tsx bench/in-process-calls.ts [root]      (PARLEY_BENCH_SECONDS=3 by default)
 */
import { randomUUID } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Store } from '../server/src/store/store.ts'
import { demoPersonalizer, rootLoader } from './lib/root-modules.ts'

const root = resolve(process.argv[2] ?? join(import.meta.dirname, '..'))
const seconds = Number(process.env.PARLEY_BENCH_SECONDS ?? 3)
const inFlight = 32
const load = rootLoader(root)

// Before issue 10 the engine lived at store/sqlite-store.ts.
const storePath = existsSync(join(root, 'server/src/store/sqlite/sqlite-store.ts'))
  ? 'store/sqlite/sqlite-store.ts'
  : 'store/sqlite-store.ts'
const { SqliteStore } = (await load(storePath)) as {
  SqliteStore: new (file: string) => Store & { ready?: Promise<void> }
}
const { ingest } = (await load(
  'pipeline/ingest.ts',
)) as typeof import('../server/src/pipeline/ingest.ts')
const { identifyEvent } = (await load(
  'pipeline/identify-event.ts',
)) as typeof import('../server/src/pipeline/identify-event.ts')

/** Runs `call` with `inFlight` calls at a time for `seconds`: calls/s, CPU µs a call, p99 ms. */
async function drive(call: (n: number) => Promise<unknown>): Promise<[number, number, number]> {
  let n = 0
  const times: number[] = []
  const cpu = process.cpuUsage()
  const start = performance.now()
  const end = start + seconds * 1000
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let began = start; began < end; began = performance.now()) {
        await call((n += 1))
        times.push(performance.now() - began)
      }
    }),
  )
  const elapsed = (performance.now() - start) / 1000
  const used = process.cpuUsage(cpu)
  times.sort((a, b) => a - b)
  const p99 = times[Math.floor(times.length * 0.99)] ?? 0
  return [times.length / elapsed, (used.user + used.system) / times.length, p99]
}

const dir = mkdtempSync(join(tmpdir(), 'parley-in-process-'))
const store = new SqliteStore(join(dir, 'bench.db'))
try {
  await store.ready
  const deps = { store, newId: randomUUID }
  const identify = (n: number) =>
    ingest(
      identifyEvent({
        channel: 'server',
        source: 'bench',
        anonymousId: randomUUID(),
        userId: `user-${n % 1000}`,
        traits: {
          email: `user-${n % 1000}@acme-${n % 50}.test`,
          plan: n % 3 ? 'free' : 'pro',
          seen: n,
        },
        company: { id: `acme-${n % 50}`, employeeCount: n % 500 },
        at: Date.now(),
      }),
      deps,
    )
  for (let n = 0; n < 1000; n += 1) await identify(n) // every user known, and a warm-up
  const [identifyRate, identifyCpu, identifyP99] = await drive(identify)

  const ids = await Promise.all(
    Array.from({ length: 1000 }, (_, n) =>
      store.read((reader) => reader.profileIdByUserId(`user-${n}`)),
    ),
  )
  if (ids.some((id) => id === undefined)) throw new Error('a seeded user has no profile')
  const personalizer = await demoPersonalizer(root)
  const page = { url: 'https://shop.test/pricing', path: '/pricing' }
  const personalize = (n: number) =>
    personalizer.personalize(store, {
      profileId: ids[n % 1000] ?? '',
      page,
      userAgent: undefined,
    })
  const [personalizeRate, personalizeCpu, personalizeP99] = await drive(personalize)

  const devices = await Promise.all(
    ids.map((id) => store.read((reader) => reader.anonymousIds(id ?? ''))),
  )
  const pageAnswer = async (n: number) => {
    const now = Date.now()
    const result = await ingest(
      {
        type: 'page',
        channel: 'browser',
        source: 'bench',
        messageId: randomUUID(),
        anonymousId: devices[n % 1000]?.[0],
        userId: undefined,
        traits: {},
        company: undefined,
        page,
        properties: {},
        at: now,
        receivedAt: now,
        warnings: [],
      },
      { ...deps, personalization: personalizer },
      { withVisitor: true },
    )
    // Older roots' results carry no visitor: the payload reads the profile after the call.
    return personalizer.personalize(store, {
      profileId: result.profileId,
      page,
      userAgent: undefined,
      ...(result.visitor === undefined ? {} : { visitor: result.visitor }),
    })
  }
  const [pageRate, pageCpu, pageP99] = await drive(pageAnswer)

  console.log(`${root} (${seconds} s each, ${inFlight} in flight, CPU of every thread)`)
  console.log(
    `  identify:              ${identifyRate.toFixed(0)} calls/s, ${identifyCpu.toFixed(0)} µs CPU per call, p99 ${identifyP99.toFixed(1)} ms`,
  )
  console.log(
    `  personalize, no cache: ${personalizeRate.toFixed(0)} calls/s, ${personalizeCpu.toFixed(0)} µs CPU per call, p99 ${personalizeP99.toFixed(1)} ms`,
  )
  console.log(
    `  page with its payload: ${pageRate.toFixed(0)} calls/s, ${pageCpu.toFixed(0)} µs CPU per call, p99 ${pageP99.toFixed(1)} ms`,
  )
} finally {
  await store.close()
  rmSync(dir, { recursive: true, force: true })
}
