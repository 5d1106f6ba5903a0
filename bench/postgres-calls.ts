/**
 * The PostgreSQL engine's own cost, without HTTP: drives pipeline calls straight into `ingest`
 * on a `PostgresStore` (a fresh schema), 32 in flight, and admin lookups through the route's
 * own read (`Store.readNeighbourhood` + `profileView`). For each mix it prints calls per second,
 * the CPU per call of this process (the engine and the pipeline) and of the PostgreSQL backends
 * serving it (found by `application_name`), and the statements sent per call. Pass another
 * checkout's root (with `node_modules` linked in) to measure its code the same way:
 *
 *   npx tsx bench/postgres-calls.ts [root]      (PARLEY_BENCH_SECONDS=3 by default)
 *
 * Mixes: `identify` (a new user and device each call, company traits of 256 companies, as
 * `scale-out.ts` sends), `page` (a page view of a known device, no user id), `track` (an event of
 * a known device), `lookup` (`GET /v1/admin/profiles/lookup?userId=` without HTTP),
 * `personalize` (`POST /v1/personalize` for a known device without HTTP or profile cache: the
 * route's reads and the payload, with the demo config), `page-answer` (a browser page view of a
 * known device and the payload its answer carries).
 */
import { randomUUID } from 'node:crypto'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import type { IngestEvent } from '../server/src/pipeline/ingest-event.ts'
import type { Store } from '../server/src/store/store.ts'
import { demoPersonalizer, rootLoader } from './lib/root-modules.ts'
import { createTestSchema } from '../test/helpers/postgres.ts'
import { backendPids, cpuBetween, cpuByPid } from './lib/process-cpu.ts'

const root = resolve(process.argv[2] ?? join(import.meta.dirname, '..'))
const seconds = Number(process.env.PARLEY_BENCH_SECONDS ?? 3)
const inFlight = Number(process.env.PARLEY_BENCH_IN_FLIGHT ?? 32)
const mixes = (process.env.PARLEY_BENCH_MIXES ?? 'identify,page,track,lookup').split(',')
const seeded = 500
const appName = `parley-bench-${process.pid}`
const load = rootLoader(root)

// Count every statement the engine sends, whatever pg the root resolves.
const pg = createRequire(join(root, 'package.json'))('pg') as typeof import('pg')
let statements = 0
const query = Reflect.get(pg.Client.prototype, 'query') as (...args: unknown[]) => unknown
Reflect.set(pg.Client.prototype, 'query', function (this: unknown, ...args: unknown[]) {
  statements += 1
  return query.apply(this, args)
})

const { PostgresStore } = (await load(
  'store/postgres/postgres-store.ts',
)) as typeof import('../server/src/store/postgres/postgres-store.ts')
const { ingest } = (await load(
  'pipeline/ingest.ts',
)) as typeof import('../server/src/pipeline/ingest.ts')
const { readNamedProfile } = (await load(
  'routes/profile-query.ts',
)) as typeof import('../server/src/routes/profile-query.ts')
// Older roots have no `profileView` nor `Store.readNeighbourhood`: their lookup is a read session.
const { readProfileView, profileView } = (await load('profile/profile-view.ts')) as Partial<
  typeof import('../server/src/profile/profile-view.ts')
> &
  Pick<typeof import('../server/src/profile/profile-view.ts'), 'readProfileView'>
// Older roots read the device and then the visitor in two sessions, without this function.
const { visitorOfDevice } = (await load('routes/personalize-routes.ts')) as Partial<
  typeof import('../server/src/routes/personalize-routes.ts')
>
const personalizer = await demoPersonalizer(root)
const pricing = { url: 'https://www.example.com/pricing?utm_medium=cpc', path: '/pricing' }

const seedUser = (n: number) => `bench-user-${n}`
const seedDevice = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`

function event(fields: Partial<IngestEvent> & Pick<IngestEvent, 'type'>): IngestEvent {
  const now = Date.now()
  return {
    channel: 'server',
    source: 'bench',
    messageId: randomUUID(),
    anonymousId: undefined,
    userId: undefined,
    traits: {},
    company: undefined,
    at: now,
    receivedAt: now,
    warnings: [],
    ...fields,
  }
}

/** A call of one of the seeded (known) devices, no user id. */
function onSeededDevice(
  store: Store,
  n: number,
  fields: Partial<IngestEvent> & Pick<IngestEvent, 'type'>,
): Promise<unknown> {
  return ingest(event({ anonymousId: seedDevice(n % seeded), ...fields }), {
    store,
    newId: randomUUID,
  })
}

const calls: Record<string, (store: Store, n: number) => Promise<unknown>> = {
  identify: (store) => {
    const id = randomUUID()
    return ingest(
      event({
        type: 'identify',
        userId: `u-${id}`,
        anonymousId: id,
        traits: { email: `${id.slice(0, 8)}@example.com`, name: 'Ada Lovelace' },
        company: { id: `c-${id.slice(0, 2)}`, name: 'Acme', plan: 'pro' },
      }),
      { store, newId: randomUUID },
    )
  },
  page: (store, n) =>
    onSeededDevice(store, n, {
      type: 'page',
      name: 'Pricing',
      page: { url: 'https://x.test/pricing', path: '/pricing' },
      properties: {},
    }),
  track: (store, n) =>
    onSeededDevice(store, n, { type: 'track', event: 'Clicked CTA', properties: { plan: 'pro' } }),
  personalize: async (store, n) => {
    const anonymousId = seedDevice(n % seeded)
    if (visitorOfDevice === undefined) {
      const profileId = await store.read((r) => r.profileIdByAnonymousId(anonymousId))
      return personalizer.personalize(store, {
        profileId: profileId ?? '',
        page: pricing,
        userAgent: undefined,
      })
    }
    const deps = { store, newId: randomUUID, clock: Date.now }
    const { profileId, visitor } = await visitorOfDevice(deps, anonymousId)
    return personalizer.personalize(store, {
      profileId,
      page: pricing,
      userAgent: undefined,
      ...(visitor === undefined ? {} : { visitor }),
    })
  },
  'page-answer': async (store, n) => {
    const result = await ingest(
      event({
        type: 'page',
        channel: 'browser',
        anonymousId: seedDevice(n % seeded),
        page: pricing,
        properties: {},
      }),
      { store, newId: randomUUID, personalization: personalizer },
      { withVisitor: true },
    )
    // Older roots' results carry no visitor: the payload reads the profile after the call.
    return personalizer.personalize(store, {
      profileId: result.profileId,
      page: pricing,
      userAgent: undefined,
      ...(result.visitor === undefined ? {} : { visitor: result.visitor }),
    })
  },
  lookup: async (store, n) => {
    const userId = seedUser(n % seeded)
    const view =
      profileView !== undefined && 'readNeighbourhood' in store
        ? await store
            .readNeighbourhood({ kind: 'userId', value: userId })
            .then((found) => found && profileView(found))
        : await readNamedProfile(store, { userId }, readProfileView)
    if (view?.userId !== userId) throw new Error('the lookup found someone else')
  },
}

/** Runs `call` with `inFlight` calls at a time for `seconds`. */
async function drive(store: Store, call: (store: Store, n: number) => Promise<unknown>) {
  let n = 0
  let done = 0
  const end = performance.now() + seconds * 1000
  const start = performance.now()
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < end) {
        await call(store, (n += 1))
        done += 1
      }
    }),
  )
  return { done, elapsed: (performance.now() - start) / 1000 }
}

const schema = await createTestSchema()
const before = new Set(await backendPids(schema.url, 'parley'))
process.env.PGAPPNAME = appName
const groups = (name: string, option: string) =>
  process.env[name] === undefined ? {} : { [option]: Number(process.env[name]) }
const store = await PostgresStore.open({
  url: schema.url,
  ...groups('PARLEY_BENCH_GROUP_SIZE', 'maxGroupSize'),
  ...groups('PARLEY_BENCH_GROUPS', 'maxGroupsInFlight'),
})
try {
  for (let start = 0; start < seeded; start += 50) {
    await Promise.all(
      Array.from({ length: 50 }, (_, offset) =>
        ingest(
          event({
            type: 'identify',
            userId: seedUser(start + offset),
            anonymousId: seedDevice(start + offset),
            traits: { plan: 'pro', email: `u${start + offset}@acme-${offset}.test` },
            company: { id: `c-${offset}`, name: 'Acme' },
          }),
          { store, newId: randomUUID },
        ),
      ),
    )
  }
  // Ours: named by PGAPPNAME, or (code that names itself `parley`) new since the store opened.
  const ours = async () => {
    const named = await backendPids(schema.url, appName)
    const pids =
      named.length > 0
        ? named
        : (await backendPids(schema.url, 'parley')).filter((pid) => !before.has(pid))
    return cpuByPid(pids)
  }
  console.log(`${root}: ${seconds} s per mix, ${inFlight} in flight`)
  console.log('| mix | calls/s | node µs CPU/call | PostgreSQL µs CPU/call | statements/call |')
  console.log('|---|---:|---:|---:|---:|')
  for (const mix of mixes) {
    const call = calls[mix]
    if (call === undefined) throw new Error(`unknown mix ${mix}`)
    await drive(store, call) // warm-up: JIT, plans, caches
    const pgBefore = await ours()
    const nodeBefore = process.cpuUsage()
    const statementsBefore = statements
    const { done, elapsed } = await drive(store, call)
    const node = process.cpuUsage(nodeBefore)
    const sent = statements - statementsBefore
    const pgUs = cpuBetween(pgBefore, await ours())
    console.log(
      `| ${mix} | ${(done / elapsed).toFixed(0)} | ${((node.user + node.system) / done).toFixed(0)} | ` +
        `${(pgUs / done).toFixed(0)} | ${(sent / done).toFixed(2)} |`,
    )
  }
} finally {
  await store.close()
  await schema.drop()
}
