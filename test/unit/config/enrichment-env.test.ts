import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../../server/src/config/env.ts'
import { shippedDataFiles } from '../../../server/src/enrichment/enrichment-config.ts'

const production = {
  NODE_ENV: 'production',
  PARLEY_WRITE_KEYS: 'key-0123456789',
  PARLEY_ADMIN_TOKEN: 'admin-token-0123456789',
  PARLEY_COOKIE_SECRET: 'cookie-secret-0123456789-0123456789-abc',
}

describe('enrichment settings', () => {
  it('are off until configured', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).enrichment).toBeUndefined()
    expect(loadConfig(production).enrichment).toBeUndefined()
    // Outside the demo config, development is off too.
    expect(loadConfig({ PARLEY_CONFIG: 'my.yaml' }).enrichment).toBeUndefined()
  })

  it('turn on for npm start with the demo config, with the demo ranges and local address', () => {
    expect(loadConfig({}).enrichment).toMatchObject({
      demo: true,
      companyRanges: 'config/parley.demo-ranges.yaml',
      localAddress: '81.2.69.142',
      ...shippedDataFiles(),
    })
    expect(loadConfig({ PARLEY_ENRICHMENT: 'off' }).enrichment).toBeUndefined()
  })

  it('use the shipped data unless a path or off is given', () => {
    const config = loadConfig({
      ...production,
      PARLEY_ENRICHMENT: 'on',
      PARLEY_GEO_DB: '/data/GeoLite2-City.mmdb',
      PARLEY_ASN_DB: 'off',
    }).enrichment
    expect(config).toMatchObject({
      geoDb: '/data/GeoLite2-City.mmdb',
      asnDb: undefined,
      companyRanges: undefined,
      localAddress: undefined,
      provider: undefined,
      demo: false,
    })
  })

  it('refuse a provider without a key, a bad local address, and a local address in production', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env)
      } catch (error) {
        if (error instanceof ConfigError) return error.message
        throw error
      }
      return ''
    }
    expect(
      problems({ PARLEY_ENRICHMENT: 'on', PARLEY_ENRICHMENT_PROVIDER: 'peopledatalabs' }),
    ).toContain('PARLEY_ENRICHMENT_PROVIDER_KEY: is required')
    expect(problems({ PARLEY_ENRICHMENT_LOCAL_ADDRESS: 'localhost' })).toContain(
      'PARLEY_ENRICHMENT_LOCAL_ADDRESS: expected an IPv4 or IPv6 address',
    )
    expect(
      problems({
        ...production,
        PARLEY_ENRICHMENT: 'on',
        PARLEY_ENRICHMENT_LOCAL_ADDRESS: '81.2.69.142',
      }),
    ).toContain('PARLEY_ENRICHMENT_LOCAL_ADDRESS: is for development')
  })

  it('configure the provider with its timeout and cache', () => {
    expect(
      loadConfig({
        PARLEY_ENRICHMENT: 'on',
        PARLEY_ENRICHMENT_PROVIDER: 'peopledatalabs',
        PARLEY_ENRICHMENT_PROVIDER_KEY: 'pdl-key-0123',
        PARLEY_ENRICHMENT_PROVIDER_TIMEOUT_MS: '300',
      }).enrichment?.provider,
    ).toEqual({
      name: 'peopledatalabs',
      apiKey: 'pdl-key-0123',
      baseUrl: undefined,
      timeoutMs: 300,
      cacheMs: 24 * 3_600_000,
    })
  })
})
