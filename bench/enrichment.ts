/**
 * Enrichment benchmark: what looking the client address up costs per request.
 *  1. HTTP: POST /v1/personalize for returning anonymous visitors from a rotating set of public
 *     IPv4 and IPv6 addresses, against the same container with enrichment off, in the same run
 *     (interleaved rounds); requests per second and server CPU per request, and their ratio.
 *  2. In process: CPU time of one `Enricher.enrich` call (geo MMDB + ASN table + ranges file)
 *     over the same addresses, and the data's load time and heap.
 *
 *   npm run bench -- enrichment   (PARLEY_BENCH_SECONDS=10 per target by default, split into
 *                                  BENCH_ROUNDS=3 rounds; BENCH_CONNECTIONS=20)
 *
 * Targets 127.0.0.1 only; every phase is bounded in time and the server child stops with us.
 * A run that saw one non-2xx answer or error prints no ratio.
 */
import { randomUUID } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { interleavedRounds, startCpuChild } from './lib/cpu-child.ts'
import { silentLogger } from '../server/src/config/logger.ts'
import { demoEnrichment, shippedDataFiles } from '../server/src/enrichment/enrichment-config.ts'
import type { Enricher } from '../server/src/enrichment/enricher.ts'
import { openEnricher } from '../server/src/enrichment/open-enricher.ts'
import { CachedStore } from '../server/src/cache/cached-store.ts'
import { PersonalizationEngine } from '../server/src/personalization/engine.ts'
import { parsePersonalizationConfig } from '../server/src/personalization/load-config.ts'
import { Personalizer } from '../server/src/personalization/personalizer.ts'
import { identifyEvent } from '../server/src/pipeline/identify-event.ts'
import { ingest } from '../server/src/pipeline/ingest.ts'
import { SqliteStore } from '../server/src/store/sqlite/sqlite-store.ts'

interface Ready {
  ports: { plain: number; enriched: number }
  anonymousIds: string[]
  loadMs: number
}

const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
const connections = Number(process.env.BENCH_CONNECTIONS ?? 20)
const root = resolve(import.meta.dirname, '..')

/** 512 public addresses, half IPv4 and half IPv6, spread over the address space (deterministic). */
export function benchAddresses(): string[] {
  const out: string[] = []
  let seed = 12345
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31)
  while (out.length < 256) {
    const a = (next() % 222) + 1
    if (a === 10 || a === 100 || a === 127 || a === 169 || a === 172 || a === 192) continue
    out.push(`${a}.${next() % 256}.${next() % 256}.${(next() % 254) + 1}`)
  }
  const v6Prefixes = ['2001:4860', '2a00:1450', '2606:4700', '2a03:2880', '2400:cb00', '2c0f:fb50']
  for (let i = 0; i < 256; i += 1) {
    const prefix = v6Prefixes[i % v6Prefixes.length] ?? '2001:4860'
    out.push(`${prefix}:${(next() % 65535).toString(16)}::${(next() % 65535).toString(16)}`)
  }
  return out
}

/** Runs the enrichment benchmark with `seconds` of load per target; prints its tables. */
export async function benchEnrichment(seconds: number): Promise<void> {
  const roundSeconds = Math.max(2, Math.round(seconds / rounds))
  const addresses = benchAddresses()

  const { ready, serverCpu, stop } = await startCpuChild<Ready>('bench/enrichment-servers.ts')

  const body = (anonymousId: string) =>
    JSON.stringify({ anonymousId, page: { url: 'https://www.example.com/pricing' } })
  // 50 returning visitors x the rotating addresses: each request is one visitor on one address.
  const requests = addresses.map((address, i) => ({
    method: 'POST' as const,
    path: '/v1/personalize',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: body(ready.anonymousIds[i % 50] ?? ''),
  }))

  // The enriched container must really enrich: a GB address on the pricing page gets the UK banner.
  const probe = (await (
    await fetch(`http://127.0.0.1:${ready.ports.enriched}/v1/personalize`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '81.2.69.142' },
      body: body(ready.anonymousIds[0] ?? ''),
    })
  ).json()) as { segments?: string[] }
  if (!(probe.segments ?? []).includes('from-uk')) {
    throw new Error(`the enriched container did not enrich: ${JSON.stringify(probe)}`)
  }

  const summary = await interleavedRounds(
    serverCpu,
    [
      { name: 'personalize, enrichment off', port: ready.ports.plain, requests },
      { name: 'personalize, enrichment on', port: ready.ports.enriched, requests },
    ],
    { connections, rounds, roundSeconds },
  )
  stop()
  console.log(
    `\nenrichment over HTTP: ${connections} connections, ${rounds} interleaved rounds of ${roundSeconds} s per target, ${addresses.length} client addresses`,
  )
  console.log('  target                          req/s  server CPU/req  p99 ms  non-2xx+errors')
  for (const line of summary) {
    console.log(
      `  ${line.name.padEnd(30)} ${line.rps.toFixed(0).padStart(6)}  ${line.cpuPerRequestUs.toFixed(1).padStart(11)} µs  ${String(line.p99).padStart(6)}  ${line.bad}`,
    )
  }
  const [plain, enriched] = summary
  if (plain === undefined || enriched === undefined) throw new Error('no samples')
  if (plain.bad + enriched.bad > 0) {
    console.log('  some requests failed: no ratio printed')
  } else {
    console.log(
      `  enrichment on: ${((enriched.rps / plain.rps) * 100).toFixed(1)} % of the throughput, ${signed(enriched.cpuPerRequestUs - plain.cpuPerRequestUs)} µs server CPU per request (${((enriched.cpuPerRequestUs / plain.cpuPerRequestUs - 1) * 100).toFixed(1)} %)`,
    )
  }
  console.log(`  server start: data files loaded in ${ready.loadMs.toFixed(0)} ms`)

  const enricher = inProcess(addresses, plain.cpuPerRequestUs)
  await personalizeInProcess(enricher, addresses)
  enricher.close()
}

/**
 * Personalisation alone (no HTTP), CPU time per call for the rotating addresses: without
 * enrichment, with it on the demo config (whose UK and company rules then match and add content),
 * and with it on a config using none of the inferred attributes (same answer as without: what
 * remains is the lookup and the context). Separates the lookup's cost from the richer answer's.
 */
async function personalizeInProcess(enricher: Enricher, addresses: string[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-enrich-inproc-'))
  const demoYaml = readFileSync(join(root, 'config/parley.demo.yaml'), 'utf8')
  const demoConfig = parsePersonalizationConfig(demoYaml, 'demo')
  // The demo config without the segments that read inferred attributes, nor their experiences.
  const inferred = /visitor\.(country|region|network|companySource)/
  const dropped = new Set(
    demoConfig.segments.filter((s) => inferred.test(JSON.stringify(s.rule))).map((s) => s.id),
  )
  const plainConfig = {
    ...demoConfig,
    segments: demoConfig.segments.filter((s) => !dropped.has(s.id)),
    experiences: demoConfig.experiences.filter(
      (e) => !(e.segments ?? []).some((id) => dropped.has(id)),
    ),
  }
  const seedStore = new SqliteStore(join(dir, 'parley.db'))
  const demo = new Personalizer(new PersonalizationEngine(demoConfig), Date.now)
  const seeded = await ingest(
    identifyEvent({ channel: 'browser', source: 'b', anonymousId: 'd', at: Date.now() }),
    { store: seedStore, newId: () => randomUUID(), personalization: demo },
  )
  await seedStore.close()
  const store = new CachedStore(new SqliteStore(join(dir, 'parley.db')), { maxBytes: 1 << 24 })
  const noInferredRules = new Personalizer(new PersonalizationEngine(plainConfig), Date.now)
  const page = { url: 'https://www.example.com/pricing', path: '/pricing' }
  const variants = [
    { name: 'enrichment off, demo config', personalizer: demo, enrich: false },
    { name: 'enrichment on, demo config', personalizer: demo, enrich: true },
    { name: 'enrichment on, no inferred rules', personalizer: noInferredRules, enrich: true },
  ]
  console.log('\npersonalize() in process (cache on, no HTTP), CPU per call:')
  for (const variant of variants) {
    const once = (i: number) =>
      variant.personalizer.personalize(store, {
        profileId: seeded.profileId,
        page,
        userAgent: undefined,
        ...(variant.enrich ? { enrichment: enricher.enrich(addresses[i % addresses.length]) } : {}),
      })
    for (let i = 0; i < 2_000; i += 1) await once(i)
    const calls = 20_000
    const started = process.cpuUsage()
    for (let i = 0; i < calls; i += 1) await once(i)
    const spent = process.cpuUsage(started)
    console.log(
      `  ${variant.name.padEnd(34)} ${((spent.user + spent.system) / calls).toFixed(1)} µs`,
    )
  }
  await store.close()
  rmSync(dir, { recursive: true, force: true })
}

/** The lookups alone, in this process (CPU time), and what the data costs to load and hold. */
function inProcess(addresses: string[], requestUs: number): Enricher {
  global.gc?.()
  const heapBefore = process.memoryUsage().heapUsed
  const loadStarted = process.cpuUsage()
  const enricher = openEnricher(
    {
      ...shippedDataFiles(),
      companyRanges: join(root, demoEnrichment.companyRanges),
      localAddress: undefined,
      provider: undefined,
      reloadMs: 3_600_000,
      consent: 'unless-refused',
      demo: false,
    },
    silentLogger,
  )
  const load = process.cpuUsage(loadStarted)
  global.gc?.()
  const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1e6
  let found = 0
  for (let i = 0; i < 20_000; i += 1) {
    if (enricher.enrich(addresses[i % addresses.length]).country !== undefined) found += 1
  }
  const calls = 200_000
  const started = process.cpuUsage()
  for (let i = 0; i < calls; i += 1) {
    if (enricher.enrich(addresses[i % addresses.length]).country !== undefined) found += 1
  }
  const spent = process.cpuUsage(started)
  const perCallUs = (spent.user + spent.system) / calls
  console.log('\nenrichment lookups in process (geo MMDB + ASN table + ranges file):')
  console.log(
    `  one enrich() ${perCallUs.toFixed(2)} µs CPU = ${((perCallUs / requestUs) * 100).toFixed(1)} % of one personalize request without enrichment (${requestUs.toFixed(0)} µs); ${((found / (calls + 20_000)) * 100).toFixed(0)} % of addresses had a country`,
  )
  console.log(
    `  loading the data: ${((load.user + load.system) / 1000).toFixed(0)} ms CPU, ${heapMb.toFixed(0)} MB heap${global.gc === undefined ? ' (run node with --expose-gc for a settled figure)' : ''}`,
  )
  return enricher
}

/** `+1.5` / `-0.3`: a difference with its sign. */
function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(1)}`
}
