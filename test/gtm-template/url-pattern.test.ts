import { describe, expect, it } from 'vitest'
import { matchesUrlPattern } from '../gtm-harness/url-pattern.ts'

describe('GTM URL match patterns', () => {
  const pattern = 'https://*/parley/client.js'

  it.each([
    'https://www.example.com/parley/client.js',
    'https://parley.example.co.uk/parley/client.js',
    'https://127.0.0.1:8443/parley/client.js',
    'https://www.example.com/parley/client.js?v=2#x',
  ])('lets the template load the client from any company host: %s', (url) => {
    expect(matchesUrlPattern(pattern, url)).toBe(true)
  })

  it.each([
    'http://www.example.com/parley/client.js',
    'https://www.example.com/parley/client.js.evil',
    'https://www.example.com/evil/parley/client.js',
    'https://www.example.com/parley/other.js',
    'https://www.example.com/',
    '//www.example.com/parley/client.js',
    'javascript:alert(1)//parley/client.js',
  ])('refuses any other scheme or path: %s', (url) => {
    expect(matchesUrlPattern(pattern, url)).toBe(false)
  })

  it('matches subdomain wildcards and path wildcards', () => {
    expect(
      matchesUrlPattern('https://*.example.com/lib/*', 'https://cdn.example.com/lib/a.js'),
    ).toBe(true)
    expect(matchesUrlPattern('https://*.example.com/lib/*', 'https://example.com/lib/a.js')).toBe(
      true,
    )
    expect(
      matchesUrlPattern('https://*.example.com/lib/*', 'https://evilexample.com/lib/a.js'),
    ).toBe(false)
    expect(matchesUrlPattern('https://cdn.example.com/a.js', 'https://CDN.example.com/a.js')).toBe(
      true,
    )
    expect(matchesUrlPattern('http://*/x.js', 'http://a.com/x.js')).toBe(false)
  })
})
