import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { z } from 'zod'
import { parseIp } from './ip-address.ts'

/** Enrichment settings, from the environment (`PARLEY_ENRICHMENT*`, `PARLEY_*_DB`). */
export interface EnrichmentConfig {
  /** Country/region MMDB file; `undefined` = no geo lookups. Default: the shipped CC0 file. */
  geoDb: string | undefined
  /**
   * Network data: a folder of ip-location-db ASN CSVs or an ASN MMDB file; `undefined` = none.
   * Default: the shipped `@ip-location-db/asn` folder.
   */
  asnDb: string | undefined
  /** The operator's company ranges file (YAML or JSON); default none. */
  companyRanges: string | undefined
  /** Looked up instead of loopback and private client addresses (development only). */
  localAddress: string | undefined
  provider:
    | {
        name: 'peopledatalabs'
        apiKey: string
        baseUrl: string | undefined
        timeoutMs: number
        cacheMs: number
      }
    | undefined
  /** How often the data files are checked for a change. Default 5 s. */
  reloadMs: number
  /** `unless-refused` (default): calls not refusing consent; `required`: calls granting it. */
  consent: 'unless-refused' | 'required'
  /** True when these are the demo's settings (`npm start` with the demo config). */
  demo: boolean
}

const require = createRequire(import.meta.url)

/** The data files shipped as dependencies, found where npm installed them. */
export function shippedDataFiles(): { geoDb: string; asnDb: string } {
  return {
    geoDb: require.resolve('@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb'),
    asnDb: dirname(require.resolve('@ip-location-db/asn/package.json')),
  }
}

/** The demo's ranges file and the public address a laptop's requests are looked up as. */
export const demoEnrichment = {
  companyRanges: 'config/parley.demo-ranges.yaml',
  /** An address the shipped data places in the United Kingdom (GB). */
  localAddress: '81.2.69.142',
} as const

const path = z.string().min(1)

/** The environment variables enrichment reads, merged into the container's env schema. */
export const enrichmentEnvShape = {
  PARLEY_ENRICHMENT: z.enum(['on', 'off']).optional(),
  PARLEY_GEO_DB: path.optional(),
  PARLEY_ASN_DB: path.optional(),
  PARLEY_COMPANY_RANGES: path.optional(),
  PARLEY_ENRICHMENT_LOCAL_ADDRESS: z
    .string()
    .refine((value) => parseIp(value) !== undefined, 'expected an IPv4 or IPv6 address')
    .optional(),
  PARLEY_ENRICHMENT_PROVIDER: z.enum(['peopledatalabs', 'none']).optional(),
  PARLEY_ENRICHMENT_PROVIDER_KEY: z.string().min(8, 'expected an API key').optional(),
  PARLEY_ENRICHMENT_PROVIDER_URL: z.url().optional(),
  PARLEY_ENRICHMENT_PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(10).max(10_000).default(800),
  PARLEY_ENRICHMENT_PROVIDER_CACHE_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 90)
    .default(24),
  PARLEY_ENRICHMENT_RELOAD_SECONDS: z.coerce.number().positive().max(3600).default(5),
  PARLEY_ENRICHMENT_CONSENT: z.enum(['unless-refused', 'required']).default('unless-refused'),
}

type EnrichmentEnv = z.infer<z.ZodObject<typeof enrichmentEnvShape>> & {
  NODE_ENV: 'development' | 'production' | 'test'
  PARLEY_CONFIG?: string | undefined
}

/** Problems between enrichment variables, as `[variable, message]` pairs. */
export function enrichmentEnvIssues(env: EnrichmentEnv): [string, string][] {
  const issues: [string, string][] = []
  if (
    env.PARLEY_ENRICHMENT_PROVIDER === 'peopledatalabs' &&
    env.PARLEY_ENRICHMENT_PROVIDER_KEY === undefined
  ) {
    issues.push([
      'PARLEY_ENRICHMENT_PROVIDER_KEY',
      'is required when PARLEY_ENRICHMENT_PROVIDER is set',
    ])
  }
  if (env.NODE_ENV === 'production' && env.PARLEY_ENRICHMENT_LOCAL_ADDRESS !== undefined) {
    issues.push([
      'PARLEY_ENRICHMENT_LOCAL_ADDRESS',
      'is for development; it is refused when NODE_ENV=production',
    ])
  }
  return issues
}

/**
 * Enrichment settings, or `undefined` when it is off: off unless `PARLEY_ENRICHMENT=on`, except
 * that `npm start` with the demo config (no `PARLEY_CONFIG`, not production) turns it on with
 * the demo's ranges file and local address. `off` as a file path turns that source off.
 */
export function enrichmentConfig(env: EnrichmentEnv): EnrichmentConfig | undefined {
  const demo =
    env.PARLEY_ENRICHMENT === undefined &&
    env.NODE_ENV === 'development' &&
    env.PARLEY_CONFIG === undefined
  if (env.PARLEY_ENRICHMENT !== 'on' && !demo) return undefined
  const file = (value: string | undefined, fallback: string | undefined): string | undefined =>
    value === 'off' ? undefined : (value ?? fallback)
  const shipped = shippedDataFiles()
  const provider =
    env.PARLEY_ENRICHMENT_PROVIDER === 'peopledatalabs' &&
    env.PARLEY_ENRICHMENT_PROVIDER_KEY !== undefined
      ? {
          name: 'peopledatalabs' as const,
          apiKey: env.PARLEY_ENRICHMENT_PROVIDER_KEY,
          baseUrl: env.PARLEY_ENRICHMENT_PROVIDER_URL,
          timeoutMs: env.PARLEY_ENRICHMENT_PROVIDER_TIMEOUT_MS,
          cacheMs: env.PARLEY_ENRICHMENT_PROVIDER_CACHE_HOURS * 3_600_000,
        }
      : undefined
  return {
    geoDb: file(env.PARLEY_GEO_DB, shipped.geoDb),
    asnDb: file(env.PARLEY_ASN_DB, shipped.asnDb),
    companyRanges: file(env.PARLEY_COMPANY_RANGES, demo ? demoEnrichment.companyRanges : undefined),
    localAddress:
      env.PARLEY_ENRICHMENT_LOCAL_ADDRESS ?? (demo ? demoEnrichment.localAddress : undefined),
    provider,
    reloadMs: env.PARLEY_ENRICHMENT_RELOAD_SECONDS * 1000,
    consent: env.PARLEY_ENRICHMENT_CONSENT,
    demo,
  }
}
