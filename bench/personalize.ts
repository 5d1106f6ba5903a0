/**
 * Personalisation benchmark: throughput of POST /v1/personalize with the profile cache (hit) and
 * without it (miss) against a bare Express endpoint, measured in the same run; and the cost of
 * evaluating 200 segments. Prints ratios, since absolute numbers depend on the machine.
 *
 *   npm run bench -- personalize   (PARLEY_BENCH_SECONDS=10 per target by default, split into
 *                                   BENCH_ROUNDS=3 interleaved rounds; BENCH_CONNECTIONS=20)
 *
 * Besides requests per second it reports the server process's CPU time per request: on a shared
 * machine that figure is steadier, and its ratio is what throughput would be at saturation.
 * Targets 127.0.0.1 only; every phase is bounded in time and the server child stops with us.
 */
import { createHmac, randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { interleavedRounds, startCpuChild } from './lib/cpu-child.ts'
import { demoCredentials } from '../server/src/config/env.ts'
import { anonymousCookieName } from '../server/src/http/anonymous-cookie.ts'
import { CachedStore } from '../server/src/cache/cached-store.ts'
import { buildContext } from '../server/src/personalization/build-context.ts'
import { compileConfig } from '../server/src/personalization/compile-config.ts'
import { evaluate } from '../server/src/personalization/evaluate.ts'
import { PersonalizationEngine } from '../server/src/personalization/engine.ts'
import {
  parsePersonalizationConfig,
  readPersonalizationConfig,
} from '../server/src/personalization/load-config.ts'
import { Personalizer } from '../server/src/personalization/personalizer.ts'
import { identifyEvent } from '../server/src/pipeline/identify-event.ts'
import { ingest } from '../server/src/pipeline/ingest.ts'
import { visitorOfDevice } from '../server/src/routes/personalize-routes.ts'
import { SqliteStore } from '../server/src/store/sqlite/sqlite-store.ts'
import { newProfile } from '../server/src/profile/profile.ts'
import { traitsToTree } from '../server/src/traits/trait-tree.ts'

interface Ready {
  ports: { bare: number; bareBorn: number; edge: number; cached: number; uncached: number }
  anonymousIds: string[]
}

/** The page every request personalises. */
const pricing = { url: 'https://www.example.com/pricing?utm_medium=cpc', title: 'Pricing' }
const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
const connections = Number(process.env.BENCH_CONNECTIONS ?? 20)

/** Runs the personalisation benchmark with `seconds` of load per target; prints its tables. */
export async function benchPersonalize(seconds: number): Promise<void> {
  const roundSeconds = Math.max(2, Math.round(seconds / rounds))

  const { ready, serverCpu, stop } = await startCpuChild<Ready>('bench/personalize-servers.ts')

  const body = JSON.stringify({ page: pricing })
  /** The signed `parley_aid` cookie a returning browser sends (the demo secret the servers use). */
  const cookieOf = (anonymousId: string): string => {
    const signature = createHmac('sha256', demoCredentials.cookieSecret)
      .update(anonymousId)
      .digest('base64')
      .replace(/=+$/, '')
    return `${anonymousCookieName}=${encodeURIComponent(`s:${anonymousId}.${signature}`)}`
  }
  const visitors = ready.anonymousIds.slice(0, 50)

  // Returning browsers: each request carries one of 50 known visitors' cookie.
  const requestsTo = (path: string) =>
    visitors.map((anonymousId) => ({
      method: 'POST' as const,
      path,
      headers: { 'content-type': 'application/json', cookie: cookieOf(anonymousId) },
      body,
    }))

  const targets = [
    { name: 'bare Express (POST, express.json)', port: ready.ports.bare, path: '/bare' },
    // The same bare app on the container's server (see http/app-server.ts), to tell what the
    // server saves from what the container's own work costs.
    { name: 'bare Express, container server', port: ready.ports.bareBorn, path: '/bare' },
    { name: 'container edge, fixed answer', port: ready.ports.edge, path: '/edge' },
    { name: 'personalize, cache hit', port: ready.ports.cached, path: '/v1/personalize' },
    {
      name: 'personalize, cache off (SQLite reads)',
      port: ready.ports.uncached,
      path: '/v1/personalize',
    },
  ]
  // The cookie must be read as the seeded, known visitor; otherwise every request would make a
  // new profile and measure something else.
  const probe = (await (
    await fetch(`http://127.0.0.1:${ready.ports.cached}/v1/personalize`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: cookieOf(visitors[0] ?? '') },
      body,
    })
  ).json()) as { anonymousId?: string; userId?: string; segments?: string[] }
  if (probe.anonymousId !== visitors[0] || probe.userId === undefined) {
    throw new Error(`the bench visitor was not recognised: ${JSON.stringify(probe)}`)
  }
  console.log(`probe: ${JSON.stringify(probe)}`)

  // Warm-up (JIT, SQLite page cache, first impressions written, cache filled), then rounds.
  const summary = await interleavedRounds(
    serverCpu,
    targets.map((target) => ({ ...target, requests: requestsTo(target.path) })),
    { connections, rounds, roundSeconds },
  )
  stop()
  const [bare] = summary
  if (bare === undefined) throw new Error('no baseline')
  console.log(
    `\nthroughput: ${connections} connections, ${rounds} interleaved rounds of ${roundSeconds} s per target`,
  )
  console.log(
    '  target                                   req/s  % of bare   server CPU/req  % of bare (CPU)  p99 ms  non-2xx+errors',
  )
  for (const line of summary) {
    console.log(
      `  ${line.name.padEnd(40)} ${line.rps.toFixed(0).padStart(6)}  ${((line.rps / bare.rps) * 100).toFixed(1).padStart(8)}  ${line.cpuPerRequestUs.toFixed(1).padStart(12)} µs  ${((bare.cpuPerRequestUs / line.cpuPerRequestUs) * 100).toFixed(1).padStart(14)}  ${String(line.p99).padStart(6)}  ${line.bad}`,
    )
  }

  // Evaluation cost of 200 segments on one visitor, against the time of one bare request.
  const ruleKinds = [
    (i: number) => `{ attribute: company.employeeCount, operator: gte, value: ${i * 10} }`,
    (i: number) =>
      `{ attribute: company.industry, operator: in, value: [Software, Finance, X${i}] }`,
    (i: number) => `{ attribute: user.email, operator: ends_with, value: "@company${i}.com" }`,
    (i: number) =>
      `{ all: [{ attribute: visitor.pageViews, operator: gt, value: ${i} }, { not: { attribute: page.path, operator: starts_with, value: /blog${i} } }] }`,
    (i: number) => `{ attribute: page.url, operator: matches, value: "utm_medium=(cpc|ppc${i})" }`,
  ]
  const segmentYaml = Array.from(
    { length: 200 },
    (_, i) => `  - { id: s${i}, rule: ${ruleKinds[i % ruleKinds.length]?.(i) ?? ''} }`,
  ).join('\n')
  const compiled = compileConfig(parsePersonalizationConfig(`segments:\n${segmentYaml}\n`, 'bench'))
  const profile = {
    ...newProfile('bench-profile', 'u', Date.now()),
    traits: traitsToTree({ email: 'ann@company7.com', firstName: 'Ann' }, 1),
  }
  const account = {
    id: 'a',
    traits: traitsToTree({ name: 'Acme', industry: 'Software', employeeCount: 1200 }, 1),
    createdAt: 1,
    updatedAt: 1,
  }
  const ctx = buildContext({
    profile,
    account,
    page: pricing,
    userAgent: undefined,
    now: Date.now(),
  })
  const evaluations = 20_000
  let matched = 0
  for (let i = 0; i < 2_000; i += 1)
    matched += evaluate(compiled, ctx, 'bench-profile').segments.length
  // CPU time of this process, not wall time: steadier on a shared machine.
  const started = process.cpuUsage()
  for (let i = 0; i < evaluations; i += 1)
    matched += evaluate(compiled, ctx, 'bench-profile').segments.length
  const spent = process.cpuUsage(started)
  const perEvaluationUs = (spent.user + spent.system) / evaluations
  const bareRequestUs = bare.cpuPerRequestUs
  console.log(`\n200 segments (${matched > 0 ? 'some match' : 'none match'}):`)
  console.log(
    `  one evaluation ${perEvaluationUs.toFixed(1)} µs = ${((perEvaluationUs / bareRequestUs) * 100).toFixed(1)} % of the server CPU of one bare Express request (${bareRequestUs.toFixed(0)} µs)`,
  )

  await personalizeInProcess()
}

/**
 * The personalisation work alone, without HTTP, in this process (CPU time): one known visitor's
 * device lookup and payload, through the store with the cache on and off. Steadier than the HTTP
 * figures on a busy machine, and it isolates what the cache saves.
 */
async function personalizeInProcess(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-inproc-'))
  const file = join(dir, 'parley.db')
  const engine = new PersonalizationEngine(
    readPersonalizationConfig(resolve(import.meta.dirname, '../config/parley.demo.yaml')),
  )
  const personalizer = new Personalizer(engine, Date.now)
  const seed = new SqliteStore(file)
  const seeded = await ingest(
    identifyEvent({
      channel: 'server',
      source: 'bench',
      anonymousId: 'inproc-device',
      userId: 'inproc-user',
      traits: { firstName: 'Ann' },
      company: { id: 'acme', name: 'Acme', industry: 'Software', employeeCount: 5000 },
      at: Date.now(),
    }),
    { store: seed, newId: () => randomUUID(), personalization: personalizer },
  )
  await seed.close()
  console.log('\npersonalisation work in process (device lookup + payload, no HTTP):')
  for (const [name, maxBytes] of [
    ['cache on', 64 * 1024 * 1024],
    ['cache off', 0],
  ] as const) {
    const store = new CachedStore(new SqliteStore(file), { maxBytes })
    const deps = { store, newId: randomUUID, clock: Date.now, personalization: personalizer }
    // As the route does: the device and its visitor in one read, then the payload.
    const once = async () => {
      const { profileId, visitor } = await visitorOfDevice(deps, 'inproc-device')
      if (profileId !== seeded.profileId) throw new Error('the device lost its profile')
      return personalizer.personalize(store, {
        profileId,
        page: pricing,
        userAgent: undefined,
        ...(visitor === undefined ? {} : { visitor }),
      })
    }
    for (let i = 0; i < 3_000; i += 1) await once()
    const calls = 30_000
    const started = process.cpuUsage()
    for (let i = 0; i < calls; i += 1) await once()
    const spent = process.cpuUsage(started)
    console.log(
      `  ${name.padEnd(9)} ${((spent.user + spent.system) / calls).toFixed(1)} µs CPU per request`,
    )
    await store.close()
  }
  rmSync(dir, { recursive: true, force: true })
}
