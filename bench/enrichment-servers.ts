/**
 * Child process of `bench/enrichment.ts`: serves the container twice on free ports of
 * 127.0.0.1, on one SQLite file with the demo personalisation config and the profile cache on:
 *  - `plain`: enrichment off (the baseline);
 *  - `enriched`: enrichment on with the shipped geo and ASN data and the demo ranges file.
 * Both trust one proxy hop, so the driver's X-Forwarded-For is the client address. Prints
 * `{ports, anonymousIds, loadMs}` as one JSON line when ready, then its CPU time (µs) for each
 * line it reads on stdin; exits when its parent closes stdin.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Express } from 'express'
import { benchContainer } from './lib/bench-container.ts'
import { listenOnLoopback, serveCpuOnStdin } from './lib/cpu-child.ts'
import { loadConfig } from '../server/src/config/env.ts'
import { silentLogger } from '../server/src/config/logger.ts'
import { demoEnrichment } from '../server/src/enrichment/enrichment-config.ts'
import type { Enricher } from '../server/src/enrichment/enricher.ts'
import { openEnricher } from '../server/src/enrichment/open-enricher.ts'
import { PersonalizationEngine } from '../server/src/personalization/engine.ts'
import { readPersonalizationConfig } from '../server/src/personalization/load-config.ts'
import { Personalizer } from '../server/src/personalization/personalizer.ts'
import { identifyEvent } from '../server/src/pipeline/identify-event.ts'
import { ingest } from '../server/src/pipeline/ingest.ts'
import { SqliteStore } from '../server/src/store/sqlite/sqlite-store.ts'

const root = resolve(import.meta.dirname, '..')
const visitors = 200
const dir = mkdtempSync(join(tmpdir(), 'parley-bench-enrich-'))
const file = join(dir, 'parley.db')
const env = {
  NODE_ENV: 'test',
  PARLEY_DATABASE_URL: `sqlite:${file}`,
  PARLEY_TRUST_PROXY: '1',
  PARLEY_RATE_LIMIT_IP_PER_MINUTE: '0',
  PARLEY_RATE_LIMIT_VISITOR_PER_MINUTE: '0',
}
const plainConfig = loadConfig(env)
const enrichedConfig = loadConfig({
  ...env,
  PARLEY_ENRICHMENT: 'on',
  PARLEY_COMPANY_RANGES: join(root, demoEnrichment.companyRanges),
})
const engine = new PersonalizationEngine(
  readPersonalizationConfig(join(root, 'config/parley.demo.yaml')),
)
const personalization = new Personalizer(engine, Date.now)

const loadStarted = performance.now()
const enrichment = enrichedConfig.enrichment
if (enrichment === undefined) throw new Error('enrichment did not turn on')
const enricher = openEnricher(enrichment, silentLogger)
const loadMs = performance.now() - loadStarted

function container(config: typeof plainConfig, withEnricher: Enricher | undefined): Express {
  return benchContainer(file, config, 64 * 1024 * 1024, {
    personalization,
    ...(withEnricher === undefined ? {} : { enricher: withEnricher }),
  })
}

const seedStore = new SqliteStore(file, { synchronous: 'NORMAL' })
const anonymousIds: string[] = []
for (let i = 0; i < visitors; i += 1) {
  const anonymousId = `bench-device-${i}`
  await ingest(
    identifyEvent({ channel: 'browser', source: 'browser', anonymousId, at: Date.now() }),
    { store: seedStore, newId: () => crypto.randomUUID(), personalization },
  )
  anonymousIds.push(anonymousId)
}
await seedStore.close()

const ports = {
  plain: await listenOnLoopback(container(plainConfig, undefined)),
  enriched: await listenOnLoopback(container(enrichedConfig, enricher)),
}
serveCpuOnStdin({ ports, anonymousIds, loadMs }, () =>
  rmSync(dir, { recursive: true, force: true }),
)
