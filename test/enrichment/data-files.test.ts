import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Reader, Response } from 'mmdb-lib'
import type { Logger } from '../../server/src/config/logger.ts'
import { shippedDataFiles } from '../../server/src/enrichment/enrichment-config.ts'
import { geoLookup, mmdbNetworkLookup, openMmdb } from '../../server/src/enrichment/geo-database.ts'
import { parseIp } from '../../server/src/enrichment/ip-address.ts'
import { openEnricher } from '../../server/src/enrichment/open-enricher.ts'
import { reloadingSource } from '../../server/src/enrichment/reloading-source.ts'

/** A logger whose lines the test reads. */
function capturingLogger(): { logger: Logger; lines: () => { msg: string; level: number }[] } {
  const chunks: string[] = []
  const logger = pino({ level: 'info' }, { write: (chunk: string) => chunks.push(chunk) })
  return {
    logger,
    lines: () => chunks.map((chunk) => JSON.parse(chunk) as { msg: string; level: number }),
  }
}

const ip = (text: string) => {
  const parsed = parseIp(text)
  if (parsed === undefined) throw new Error(text)
  return parsed
}

let dir: string
const cleanups: (() => void)[] = []
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup()
})
function tempDir(): string {
  dir = mkdtempSync(join(tmpdir(), 'parley-data-'))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

const ranges = (name: string) =>
  `companies:\n  - domain: ${name}.example\n    name: ${name}\n    ranges: [198.51.100.0/24]\n`

describe('the shipped geo database', () => {
  it('places public IPv4 and IPv6 addresses in their country', () => {
    const lookup = geoLookup(openMmdb(shippedDataFiles().geoDb))
    expect(lookup(ip('81.2.69.142'))).toEqual({ country: 'GB' })
    expect(lookup(ip('::ffff:81.2.69.142'))).toEqual({ country: 'GB' })
    expect(lookup(ip('2a00:1450:4009:81f::200e'))).toEqual({ country: 'IE' })
    expect(lookup(ip('127.0.0.1'))).toBeUndefined()
  })
})

describe('geoLookup', () => {
  it('reads the region from a MaxMind-layout record (GeoIP2 / GeoLite2 City)', () => {
    const reader = {
      get: () => ({ country: { iso_code: 'us' }, subdivisions: [{ iso_code: 'CA' }] }),
    } as unknown as Reader<Response>
    expect(geoLookup(reader)(ip('8.8.8.8'))).toEqual({ country: 'US', region: 'CA' })
  })
})

describe('mmdbNetworkLookup', () => {
  const readerOf = (record: object) => ({ get: () => record }) as unknown as Reader<Response>
  it('reads GeoLite2-ASN and ipinfo layouts', () => {
    const geolite = readerOf({
      autonomous_system_number: 15169,
      autonomous_system_organization: 'Google LLC',
    })
    expect(mmdbNetworkLookup(geolite)(ip('8.8.8.8'))).toEqual({ asn: 15169, org: 'Google LLC' })
    const ipinfo = readerOf({ asn: 'AS13335', as_name: 'Cloudflare, Inc.' })
    expect(mmdbNetworkLookup(ipinfo)(ip('1.1.1.1'))).toEqual({
      asn: 13335,
      org: 'Cloudflare, Inc.',
    })
    expect(mmdbNetworkLookup(readerOf({ asn: 'none' }))(ip('1.1.1.1'))).toBeUndefined()
  })
})

describe('a broken or missing data file', () => {
  it('is logged, shown in the metrics, and the container serves without that source', async () => {
    const folder = tempDir()
    const broken = join(folder, 'broken.mmdb')
    writeFileSync(broken, 'this is not an MMDB file')
    writeFileSync(join(folder, 'ranges.yaml'), ranges('northwind'))
    const { logger, lines } = capturingLogger()
    const registry = new Registry()
    const enricher = openEnricher(
      {
        geoDb: broken,
        asnDb: join(folder, 'missing-asn-folder'),
        companyRanges: join(folder, 'ranges.yaml'),
        localAddress: undefined,
        provider: undefined,
        reloadMs: 60_000,
        consent: 'unless-refused',
        demo: false,
      },
      logger,
      { registry },
    )
    cleanups.push(() => enricher.close())
    const metrics = await registry.metrics()
    expect(metrics).toContain('parley_enrichment_source_loaded{source="geo"} 0')
    expect(metrics).toContain('parley_enrichment_source_loaded{source="network"} 0')
    expect(metrics).toContain('parley_enrichment_source_loaded{source="company ranges"} 1')
    expect(enricher.enrich('198.51.100.7')).toEqual({
      company: expect.objectContaining({ domain: 'northwind.example' }),
    })
    expect(enricher.enrich('81.2.69.142')).toEqual({})
    const errors = lines().filter((line) => line.level === 50)
    expect(errors.map((line) => line.msg)).toEqual([
      'enrichment geo data cannot be loaded; serving without it',
      'enrichment network data cannot be loaded; serving without it',
    ])
  })

  it('is picked up once it appears, and a broken change keeps the last good data', async () => {
    const folder = tempDir()
    const geo = join(folder, 'geo.mmdb')
    const { logger, lines } = capturingLogger()
    const source = reloadingSource({
      name: 'geo',
      files: [geo],
      load: () => geoLookup(openMmdb(geo)),
      logger,
      intervalMs: 20,
    })
    cleanups.push(() => source.close())
    expect(source.current).toBeUndefined()

    copyFileSync(shippedDataFiles().geoDb, geo)
    await vi.waitFor(() => expect(source.current?.(ip('81.2.69.142'))).toEqual({ country: 'GB' }))

    // Truncated mid-copy, as a careless update would leave it.
    writeFileSync(geo, Buffer.alloc(1000, 7))
    await vi.waitFor(() =>
      expect(lines().map((line) => line.msg)).toContain(
        'enrichment geo data change rejected; the last good data stays in force',
      ),
    )
    expect(source.current?.(ip('81.2.69.142'))).toEqual({ country: 'GB' })
  })

  it('reloads the ranges file when it changes', async () => {
    const folder = tempDir()
    const file = join(folder, 'ranges.yaml')
    writeFileSync(file, ranges('before'))
    const enricher = openEnricher(
      {
        geoDb: undefined,
        asnDb: undefined,
        companyRanges: file,
        localAddress: undefined,
        provider: undefined,
        reloadMs: 20,
        consent: 'unless-refused',
        demo: false,
      },
      capturingLogger().logger,
    )
    cleanups.push(() => enricher.close())
    expect(enricher.enrich('198.51.100.7').company?.domain).toBe('before.example')
    writeFileSync(file, ranges('afterwards'))
    await vi.waitFor(() =>
      expect(enricher.enrich('198.51.100.7').company?.domain).toBe('afterwards.example'),
    )
  })
})
