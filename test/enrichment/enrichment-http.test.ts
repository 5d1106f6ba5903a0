import { randomUUID } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import request from 'supertest'
import { afterEach, describe, expect, it } from 'vitest'
import { createApp } from '../../server/src/app.ts'
import { loadConfig } from '../../server/src/config/env.ts'
import { silentLogger } from '../../server/src/config/logger.ts'
import type { Enricher } from '../../server/src/enrichment/enricher.ts'
import { openEnricher } from '../../server/src/enrichment/open-enricher.ts'
import { PersonalizationEngine } from '../../server/src/personalization/engine.ts'
import { parsePersonalizationConfig } from '../../server/src/personalization/load-config.ts'
import { Personalizer } from '../../server/src/personalization/personalizer.ts'
import { SqliteStore } from '../../server/src/store/sqlite/sqlite-store.ts'
import { testEnv } from '../helpers/build-app.ts'
import { testCredentials } from '../helpers/start-container.ts'

const personalization = `
segments:
  - id: from-uk
    rule: { attribute: visitor.country, operator: equal, value: GB }
  - id: from-ireland
    rule: { attribute: visitor.country, operator: equal, value: IE }
  - id: on-aaisp
    rule: { attribute: visitor.network.asn, operator: equal, value: 20712 }
  - id: inferred-company
    rule: { attribute: visitor.companySource, operator: equal, value: inferred }
experiences:
  - id: company-hello
    segments: [inferred-company]
    variations:
      - id: named
        content:
          hero: 'Welcome, {{company.name}} ({{company.industry | "?"}})'
  - id: declared-hello
    priority: -1
    variations:
      - id: plain
        content:
          line: 'Company: {{company.name | "none"}}; network {{visitor.network.org | "unknown"}}'
`

const ranges = `
companies:
  - domain: northwind.example
    name: Northwind Traders
    traits: { industry: Software, employeeCount: 2500 }
    ranges: [198.51.100.0/24, 2001:db8:4e57::/48, 10.20.0.0/16]
`

// The two public test addresses' networks, as rows of an ip-location-db ASN folder.
const asnV4 = '1359103232,1359103487,20712,Andrews & Arnold Ltd\n'
const asnV6 =
  '55827987809411540836515382960316219392,55827987888639703350779720553860169727,15169,Google LLC\n'

interface Built {
  agent: () => ReturnType<typeof request>
  enricher: Enricher | undefined
  dir: string
  db: string
}

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

function build(env: Record<string, string>): Built {
  const dir = mkdtempSync(join(tmpdir(), 'parley-enrich-'))
  const asnDir = join(dir, 'asn')
  writeFileSync(join(dir, 'ranges.yaml'), ranges)
  mkdirSync(asnDir)
  writeFileSync(join(asnDir, 'asn-ipv4-num.csv'), asnV4)
  writeFileSync(join(asnDir, 'asn-ipv6-num.csv'), asnV6)
  const config = loadConfig({
    ...testEnv,
    PARLEY_TRUST_PROXY: '1',
    PARLEY_ASN_DB: asnDir,
    PARLEY_COMPANY_RANGES: join(dir, 'ranges.yaml'),
    ...env,
  })
  const enricher =
    config.enrichment === undefined ? undefined : openEnricher(config.enrichment, silentLogger)
  const db = join(dir, 'parley.db')
  const store = new SqliteStore(db)
  const clock = Date.now
  const app = createApp({
    config,
    store,
    logger: silentLogger,
    clock,
    newId: randomUUID,
    personalization: new Personalizer(
      new PersonalizationEngine(parsePersonalizationConfig(personalization, 'test.yaml')),
      clock,
    ),
    ...(enricher === undefined ? {} : { enricher }),
  })
  cleanups.push(async () => {
    enricher?.close()
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  })
  return { agent: () => request(app), enricher, dir, db }
}

const on = { PARLEY_ENRICHMENT: 'on' }
const admin = `Bearer ${testCredentials.adminToken}`

interface Payload {
  anonymousId: string
  segments: string[]
  experiences: { id: string; content: Record<string, string> }[]
}

/** A browser page call from `forwardedFor` (the trusted proxy's X-Forwarded-For). */
async function page(
  built: Built,
  forwardedFor: string | undefined,
  extra: Record<string, unknown> = {},
): Promise<Payload> {
  const call = built.agent().post('/v1/web/page')
  if (forwardedFor !== undefined) call.set('X-Forwarded-For', forwardedFor)
  const response = await call
    .send({ anonymousId: randomUUID(), properties: { url: 'https://www.example.com/' }, ...extra })
    .expect(200)
  return response.body as Payload
}

/** The privacy export of a device's profile, expecting `status`. */
const exportOf = (built: Built, anonymousId: string, status: number) =>
  built
    .agent()
    .get('/v1/admin/profiles/export')
    .query({ anonymousId })
    .set('Authorization', admin)
    .expect(status)

const content = (payload: Payload, id: string) =>
  payload.experiences.find((experience) => experience.id === id)?.content

describe('enrichment from the request address', () => {
  it('is off until configured: no lookups, nothing derived', async () => {
    const built = build({})
    expect(built.enricher).toBeUndefined()
    const payload = await page(built, '81.2.69.142')
    expect(payload.segments).toEqual([])
    expect(content(payload, 'declared-hello')).toEqual({ line: 'Company: none; network unknown' })
  })

  it('finds the country and network of a public IPv4 address', async () => {
    const built = build(on)
    const payload = await page(built, '81.2.69.142')
    expect(payload.segments).toEqual(['from-uk', 'on-aaisp'])
    expect(content(payload, 'declared-hello')).toEqual({
      line: 'Company: none; network Andrews & Arnold Ltd',
    })
  })

  it('finds the country and network of a public IPv6 address', async () => {
    const built = build(on)
    const payload = await page(built, '2a00:1450:4009:81f::200e')
    expect(payload.segments).toEqual(['from-ireland'])
    expect(content(payload, 'declared-hello')?.line).toContain('network Google LLC')
  })

  it('names the company of an address in the ranges file, IPv4 and IPv6, marked inferred', async () => {
    const built = build(on)
    for (const address of ['198.51.100.7', '2001:db8:4e57::5']) {
      const payload = await page(built, address)
      expect(payload.segments).toContain('inferred-company')
      expect(content(payload, 'company-hello')).toEqual({
        hero: 'Welcome, Northwind Traders (Software)',
      })
    }
  })

  it('does not look private or loopback addresses up in public data, but maps them from the ranges file', async () => {
    const built = build(on)
    const office = await page(built, '10.20.3.4')
    expect(office.segments).toEqual(['inferred-company'])
    for (const address of ['127.0.0.1', '192.168.1.10', '::1', 'fd00::7']) {
      const payload = await page(built, address)
      expect(payload.segments).toEqual([])
    }
  })

  it('enriches a call with a browser write key on the tracking API like one on /v1/web', async () => {
    const built = build({ ...on, PARLEY_BROWSER_WRITE_KEYS: 'site-browser-key' })
    const response = await built
      .agent()
      .post('/v1/p')
      .set('Content-Type', 'text/plain')
      .set('X-Forwarded-For', '81.2.69.142')
      .send(
        JSON.stringify({
          writeKey: 'site-browser-key',
          anonymousId: randomUUID(),
          properties: { url: 'https://www.example.com/' },
          // A browser may not claim an address: only the connection's counts.
          context: { ip: '198.51.100.7' },
        }),
      )
      .expect(200)
    const payload = response.body as Payload
    expect(payload.segments).toEqual(['from-uk', 'on-aaisp'])
    expect(payload.segments).not.toContain('inferred-company')
  })

  it('looks a local address up as PARLEY_ENRICHMENT_LOCAL_ADDRESS (development)', async () => {
    const built = build({ ...on, PARLEY_ENRICHMENT_LOCAL_ADDRESS: '81.2.69.142' })
    expect((await page(built, '127.0.0.1')).segments).toEqual(['from-uk', 'on-aaisp'])
  })

  it('takes the address the trusted proxy saw: an entry the client forged in front changes nothing', async () => {
    const built = build(on)
    // The client sent "X-Forwarded-For: 198.51.100.7"; the proxy appended the real address.
    const forged = await page(built, '198.51.100.7, 81.2.69.142')
    expect(forged.segments).toEqual(['from-uk', 'on-aaisp'])

    // With no proxy trusted, the header is ignored entirely: the socket address (loopback) counts.
    const direct = build({ ...on, PARLEY_TRUST_PROXY: '0' })
    expect((await page(direct, '198.51.100.7')).segments).toEqual([])
  })

  it('does not enrich a visitor who refused personalisation, nor store anything for them', async () => {
    const built = build(on)
    for (const consent of [
      { personalization: false },
      { personalization_storage: 'denied' },
      { categoryPreferences: { personalization: false } },
    ]) {
      const anonymousId = randomUUID()
      const payload = await page(built, '81.2.69.142', { anonymousId, context: { consent } })
      expect(payload.segments).toEqual([])
      const exported = await exportOf(built, anonymousId, 200)
      expect(exported.body.profile.visitor.inferred).toBeUndefined()
    }
  })

  it('with PARLEY_ENRICHMENT_CONSENT=required, enriches only calls that say the visitor agreed', async () => {
    const built = build({ ...on, PARLEY_ENRICHMENT_CONSENT: 'required' })
    expect((await page(built, '81.2.69.142')).segments).toEqual([])
    for (const consent of [
      { personalization: true },
      { personalization_storage: 'granted' },
      { categoryPreferences: { personalization: true } },
    ]) {
      const payload = await page(built, '81.2.69.142', { context: { consent } })
      expect(payload.segments).toEqual(['from-uk', 'on-aaisp'])
    }
    const mixed = { personalization: true, categoryPreferences: { personalization: false } }
    expect((await page(built, '81.2.69.142', { context: { consent: mixed } })).segments).toEqual([])
  })

  it('enriches POST /v1/personalize too', async () => {
    const built = build(on)
    const response = await built
      .agent()
      .post('/v1/personalize')
      .set('X-Forwarded-For', '198.51.100.7')
      .send({ page: { url: 'https://www.example.com/' } })
      .expect(200)
    expect(content(response.body as Payload, 'company-hello')?.hero).toBe(
      'Welcome, Northwind Traders (Software)',
    )
  })
})

describe('what enrichment keeps', () => {
  it('stores what was derived, never the address; the export shows it and a delete erases it', async () => {
    const built = build(on)
    const anonymousId = randomUUID()
    await page(built, '198.51.100.7', { anonymousId })
    await page(built, '81.2.69.142', { anonymousId })
    const exported = await exportOf(built, anonymousId, 200)
    expect(exported.body.profile.visitor.inferred).toEqual({
      at: expect.any(Number),
      country: 'GB',
      asn: 20712,
      org: 'Andrews & Arnold Ltd',
    })
    for (const file of readdirSync(built.dir).filter((name) => name.startsWith('parley.db'))) {
      const bytes = readFileSync(join(built.dir, file), 'latin1')
      expect(bytes).not.toContain('81.2.69.142')
      expect(bytes).not.toContain('198.51.100.7')
    }
    await built
      .agent()
      .delete('/v1/admin/profiles')
      .query({ anonymousId })
      .set('Authorization', admin)
      .expect(200)
    await exportOf(built, anonymousId, 404)
  })

  it('never writes an inferred company into an account, links a user to it, or overrides what they declared', async () => {
    const built = build(on)
    const anonymousId = randomUUID()
    const identify = (body: object) =>
      built
        .agent()
        .post('/v1/web/identify')
        .set('X-Forwarded-For', '198.51.100.7')
        .send({ anonymousId, ...body })
        .expect(200)
    await identify({ userId: 'ann', traits: { email: 'ann@gmail.com' } })
    const lookup = async () =>
      (
        await built
          .agent()
          .get('/v1/admin/profiles/lookup')
          .query({ userId: 'ann' })
          .set('Authorization', admin)
          .expect(200)
      ).body.profile as {
        account: unknown
        traits: Record<string, unknown>
        visitor: { inferred?: object }
      }
    const known = await lookup()
    expect(known.account).toBeNull()
    expect(known.traits).toEqual({ email: 'ann@gmail.com' })
    expect(known.visitor.inferred).toMatchObject({
      companyDomain: 'northwind.example',
      companySource: 'ranges',
    })

    const declared = await identify({
      userId: 'ann',
      traits: { company: { domain: 'globex.com', name: 'Globex' } },
    })
    expect(declared.body.segments).not.toContain('inferred-company')
    expect(content(declared.body as Payload, 'declared-hello')?.line).toBe(
      'Company: Globex; network unknown',
    )
    const linked = (await lookup()) as { account: { traits: Record<string, unknown> } }
    expect(linked.account.traits).toEqual({ domain: 'globex.com', name: 'Globex' })
  })
})
