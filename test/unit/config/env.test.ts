import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../../server/src/config/env.ts'

describe('loadConfig', () => {
  it('runs on SQLite under ./data on port 8080 with demo credentials when nothing is set', () => {
    const config = loadConfig({})
    expect(config).toMatchObject({
      port: 8080,
      databaseUrl: 'sqlite:./data/parley.db',
      identityVerification: 'off',
    })
    expect(config.demoDefaults).toEqual([
      'PARLEY_WRITE_KEYS',
      'PARLEY_BROWSER_WRITE_KEYS',
      'PARLEY_ADMIN_TOKEN',
      'PARLEY_COOKIE_SECRET',
      'PARLEY_ALLOWED_ORIGINS',
    ])
  })

  it('reads lists and turns verification on when a secret is set', () => {
    const config = loadConfig({
      PARLEY_WRITE_KEYS: ' a, b ,',
      PARLEY_IDENTITY_SECRET: 'x'.repeat(16),
    })
    expect(config.writeKeys).toEqual(['a', 'b'])
    expect(config.identityVerification).toBe('required')
  })

  it('reads browser write keys, none by default in production, the demo key elsewhere', () => {
    expect(loadConfig({ PARLEY_BROWSER_WRITE_KEYS: 'pk-a, pk-b' }).browserWriteKeys).toEqual([
      'pk-a',
      'pk-b',
    ])
    expect(loadConfig({}).browserWriteKeys).toEqual(['demo-browser-key'])
    const production = loadConfig({
      NODE_ENV: 'production',
      PARLEY_WRITE_KEYS: 'sk',
      PARLEY_ADMIN_TOKEN: 'a'.repeat(16),
      PARLEY_COOKIE_SECRET: 'c'.repeat(32),
    })
    expect(production.browserWriteKeys).toEqual([])
    expect(production.demoDefaults).not.toContain('PARLEY_BROWSER_WRITE_KEYS')
  })

  it('refuses a key that is both a server and a browser write key', () => {
    expect(() =>
      loadConfig({ PARLEY_WRITE_KEYS: 'shared, sk', PARLEY_BROWSER_WRITE_KEYS: 'shared' }),
    ).toThrow(/PARLEY_BROWSER_WRITE_KEYS: a key may not be both a server and a browser write key/)
  })

  it('names every bad variable in one error', () => {
    const attempt = () =>
      loadConfig({ PORT: '99999', PARLEY_DATABASE_URL: 'mysql://x', PARLEY_COOKIE_SECRET: 'short' })
    expect(attempt).toThrow(ConfigError)
    expect(attempt).toThrow(/PORT[\s\S]*PARLEY_DATABASE_URL[\s\S]*PARLEY_COOKIE_SECRET/)
  })

  it('takes a cookie domain only as a host name, so it cannot add attributes to Set-Cookie', () => {
    expect(loadConfig({ PARLEY_COOKIE_DOMAIN: '.example.com' }).cookieDomain).toBe('.example.com')
    expect(loadConfig({ PARLEY_COOKIE_DOMAIN: 'www.example.co.uk' }).cookieDomain).toBe(
      'www.example.co.uk',
    )
    for (const bad of ['example.com; Secure', 'exa mple.com', 'https://example.com', '..com']) {
      expect(() => loadConfig({ PARLEY_COOKIE_DOMAIN: bad })).toThrow(
        /PARLEY_COOKIE_DOMAIN: expected a domain like example.com/,
      )
    }
  })

  it('requires the identity secret when verification is turned on', () => {
    expect(() => loadConfig({ PARLEY_IDENTITY_VERIFICATION: 'required' })).toThrow(
      /PARLEY_IDENTITY_SECRET: is required/,
    )
  })

  it('requires real secrets in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /PARLEY_COOKIE_SECRET: is required when NODE_ENV=production/,
    )
  })
})
