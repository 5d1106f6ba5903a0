import { randomUUID } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Registry } from 'prom-client'
import request from 'supertest'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../server/src/app.ts'
import { loadConfig } from '../../server/src/config/env.ts'
import { silentLogger } from '../../server/src/config/logger.ts'
import { openEnricher } from '../../server/src/enrichment/open-enricher.ts'
import { PersonalizationEngine } from '../../server/src/personalization/engine.ts'
import { parsePersonalizationConfig } from '../../server/src/personalization/load-config.ts'
import { Personalizer } from '../../server/src/personalization/personalizer.ts'
import { SqliteStore } from '../../server/src/store/sqlite/sqlite-store.ts'
import { PdlProvider } from '../../server/src/enrichment/pdl-provider.ts'
import { ProviderGate } from '../../server/src/enrichment/provider-gate.ts'
import type { InferredCompany } from '../../server/src/enrichment/enrichment.ts'

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/peopledatalabs/${name}`, import.meta.url), 'utf8')

const apiKey = 'test-pdl-key-0123'

/**
 * A local server replaying People Data Labs' documented answers: the documented match for the
 * documented example IP and company, 404 `not_found` otherwise, 429 for one "busy" IP, a hang
 * for one "slow" IP, and 401 without the key.
 */
function replayServer(): { server: Server; seen: IncomingMessage[] } {
  const seen: IncomingMessage[] = []
  const server = createServer((req, res) => {
    seen.push(req)
    const url = new URL(req.url ?? '/', 'http://replay')
    const send = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(body)
    }
    if (req.headers['x-api-key'] !== apiKey) {
      send(401, '{"status":401,"error":{"type":"authentication_error","message":"bad key"}}')
      return
    }
    if (url.pathname === '/v5/ip/enrich') {
      const ip = url.searchParams.get('ip')
      if (ip === '72.212.42.169') send(200, fixture('ip-enrich-200.json'))
      else if (ip === '192.0.2.99') send(429, fixture('rate-limit-429.json'))
      else if (ip === '192.0.2.98')
        return // never answers
      else send(404, fixture('not-found-404.json'))
      return
    }
    if (url.pathname === '/v5/company/enrich') {
      if (url.searchParams.get('website') === 'google.com')
        send(200, fixture('company-enrich-200.json'))
      else send(404, fixture('not-found-404.json'))
      return
    }
    send(404, '{}')
  })
  return { server, seen }
}

let replay: ReturnType<typeof replayServer>
let baseUrl: string

beforeAll(async () => {
  replay = replayServer()
  await new Promise<void>((resolve) => replay.server.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(replay.server.address() as AddressInfo).port}`
})

afterAll(async () => {
  replay.server.closeAllConnections()
  await new Promise((resolve) => replay.server.close(resolve))
})

const signal = () => AbortSignal.timeout(2000)

describe('PdlProvider against the documented People Data Labs answers', () => {
  it('reads the company behind an IP from data.company, as Parley company traits', async () => {
    const provider = new PdlProvider({ apiKey, baseUrl })
    expect(await provider.companyByIp('72.212.42.169', signal())).toEqual({
      domain: 'peopledatalabs.com',
      source: 'provider',
      traits: {
        domain: 'peopledatalabs.com',
        name: 'People Data Labs',
        industry: 'computer software',
        employeeCount: 128,
        size: '51-200',
        type: 'private',
        country: 'united states',
      },
    })
    const request = replay.seen.at(-1)
    expect(request?.url).toBe('/v5/ip/enrich?ip=72.212.42.169')
    expect(request?.headers['x-api-key']).toBe(apiKey)
  })

  it('reads company traits for a domain from the top-level profile', async () => {
    const provider = new PdlProvider({ apiKey, baseUrl })
    expect(await provider.companyByDomain('google.com', signal())).toEqual({
      domain: 'google.com',
      name: 'Google',
      industry: 'internet',
      employeeCount: 260979,
      size: '10001+',
      type: 'public',
      country: 'united states',
    })
    expect(replay.seen.at(-1)?.url).toBe('/v5/company/enrich?website=google.com')
  })

  it('takes 404 not_found as "no company", not as a failure', async () => {
    const provider = new PdlProvider({ apiKey, baseUrl })
    expect(await provider.companyByIp('198.51.100.1', signal())).toBeUndefined()
    expect(await provider.companyByDomain('unknown.example', signal())).toBeUndefined()
  })

  it('fails on 429 and on a wrong key, so the circuit breaker counts them', async () => {
    await expect(
      new PdlProvider({ apiKey, baseUrl }).companyByIp('192.0.2.99', signal()),
    ).rejects.toThrow('answered 429')
    await expect(
      new PdlProvider({ apiKey: 'wrong-key-000', baseUrl }).companyByIp('72.212.42.169', signal()),
    ).rejects.toThrow('answered 401')
  })
})

describe('the provider behind its gate', () => {
  const gateOf = (options: { timeoutMs?: number; breakerFailures?: number } = {}) => {
    const provider = new PdlProvider({ apiKey, baseUrl })
    const failures: unknown[] = []
    const gate = new ProviderGate<InferredCompany>({
      lookup: (ip, abort) => provider.companyByIp(ip, abort),
      onFailure: (error) => failures.push(error),
      ...options,
    })
    return { gate, failures }
  }

  it('answers the first request without waiting and the next one from the cache', async () => {
    const { gate } = gateOf()
    expect(gate.peek('k', '72.212.42.169')).toBeUndefined()
    await gate.settled()
    expect(gate.peek('k', '72.212.42.169')?.domain).toBe('peopledatalabs.com')
  })

  it('gives up on a service that does not answer within the timeout', async () => {
    const { gate, failures } = gateOf({ timeoutMs: 100 })
    // peek is synchronous: the request path gets its answer (nothing yet) without waiting.
    expect(gate.peek('slow', '192.0.2.98')).toBeUndefined()
    await gate.settled()
    expect(failures).toHaveLength(1)
  })

  it('stops calling a failing service once the circuit opens', async () => {
    const { gate, failures } = gateOf({ breakerFailures: 2 })
    const before = replay.seen.length
    for (const key of ['a', 'b', 'c', 'd']) {
      gate.peek(key, '192.0.2.99')
      await gate.settled()
    }
    expect(failures).toHaveLength(2)
    expect(replay.seen.length - before).toBe(2)
    expect(gate.state).toBe('open')
  })
})

describe('the provider in the container', () => {
  const personalization = `
segments:
  - id: inferred-company
    rule: { attribute: visitor.companySource, operator: equal, value: inferred }
experiences:
  - id: hello
    variations:
      - id: named
        content:
          hero: '{{company.name | "nobody"}} / {{company.industry | "?"}} / {{visitor.companySource | "none"}}'
`
  async function container() {
    const dir = mkdtempSync(join(tmpdir(), 'parley-provider-'))
    const config = loadConfig({
      NODE_ENV: 'test',
      PARLEY_TRUST_PROXY: '1',
      PARLEY_RATE_LIMIT_IP_PER_MINUTE: '0',
      PARLEY_RATE_LIMIT_VISITOR_PER_MINUTE: '0',
      PARLEY_ENRICHMENT: 'on',
      PARLEY_GEO_DB: 'off',
      PARLEY_ASN_DB: 'off',
      PARLEY_ENRICHMENT_PROVIDER: 'peopledatalabs',
      PARLEY_ENRICHMENT_PROVIDER_KEY: apiKey,
      PARLEY_ENRICHMENT_PROVIDER_URL: baseUrl,
      PARLEY_ENRICHMENT_PROVIDER_TIMEOUT_MS: '150',
    })
    if (config.enrichment === undefined) throw new Error('enrichment is off')
    const registry = new Registry()
    const enricher = openEnricher(config.enrichment, silentLogger, { registry })
    const store = new SqliteStore(join(dir, 'parley.db'))
    const app = createApp({
      config,
      store,
      logger: silentLogger,
      clock: Date.now,
      newId: randomUUID,
      personalization: new Personalizer(
        new PersonalizationEngine(parsePersonalizationConfig(personalization, 'test.yaml')),
        Date.now,
      ),
      enricher,
    })
    const hero = async (address: string, body: object = {}) => {
      const response = await request(app)
        .post('/v1/web/identify')
        .set('X-Forwarded-For', address)
        .send({ anonymousId: 'device-1', traits: {}, ...body })
        .expect(200)
      return (response.body as { experiences: { content: { hero?: string } }[] }).experiences[0]
        ?.content.hero
    }
    cleanups.push(async () => {
      enricher.close()
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    })
    return { hero, enricher, registry }
  }
  const cleanups: (() => Promise<void>)[] = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup()
  })

  it('answers the first call without the provider and later calls with its company', async () => {
    const { hero, enricher } = await container()
    expect(await hero('72.212.42.169')).toBe('nobody / ? / none')
    await enricher.settled()
    expect(await hero('72.212.42.169')).toBe('People Data Labs / computer software / inferred')
  })

  it('serves every call while the provider hangs or fails', async () => {
    const { hero, enricher, registry } = await container()
    for (const address of ['192.0.2.98', '192.0.2.99']) {
      expect(await hero(address)).toBe('nobody / ? / none')
      await enricher.settled()
      expect(await hero(address)).toBe('nobody / ? / none')
    }
    const metrics = await registry.metrics()
    expect(metrics).toContain('parley_enrichment_provider_failures_total{lookup="ip"} 2')
    expect(metrics).toContain('parley_enrichment_provider_circuit_open{lookup="ip"} 0')
  })

  it('fills firmographics for a declared company domain, the declared traits winning', async () => {
    const { hero, enricher } = await container()
    const declared = { traits: { company: { domain: 'google.com', name: 'Alphabet (declared)' } } }
    expect(await hero('198.51.100.1', declared)).toBe('Alphabet (declared) / ? / declared')
    await enricher.settled()
    expect(await hero('198.51.100.1', declared)).toBe('Alphabet (declared) / internet / declared')
  })
})
