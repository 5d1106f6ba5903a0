import { describe, expect, it } from 'vitest'
import { deviceType } from '../../server/src/personalization/device-type.ts'
import { compilePagePattern } from '../../server/src/personalization/url-pattern.ts'

describe('page patterns', () => {
  it.each([
    ['/pricing*', { path: '/pricing' }, true],
    ['/pricing*', { path: '/pricing/enterprise' }, true],
    ['/pricing*', { path: '/PRICING' }, true],
    ['/pricing*', { path: '/blog/pricing' }, false],
    ['/pricing', { path: '/pricing/x' }, false],
    ['/docs/*/api', { path: '/docs/v2/api' }, true],
    ['/a.b', { path: '/axb' }, false],
    [
      'https://*.example.com/blog/*',
      { url: 'https://www.example.com/blog/post?utm_source=x' },
      true,
    ],
    ['https://*.example.com/blog/*', { url: 'https://www.other.com/blog/post' }, false],
    ['/pricing*', {}, false],
  ])('%s against %j is %s', (pattern, page, expected) => {
    expect(compilePagePattern(pattern)(page)).toBe(expected)
  })
})

describe('device type from the user agent', () => {
  it.each([
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148',
      'mobile',
    ],
    [
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/124.0 Mobile Safari/537.36',
      'mobile',
    ],
    ['Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148', 'tablet'],
    [
      'Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 Chrome/124.0 Safari/537.36',
      'tablet',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36',
      'desktop',
    ],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Version/17.4 Safari/605.1.15',
      'desktop',
    ],
    [undefined, 'desktop'],
  ])('%s is %s', (userAgent, expected) => {
    expect(deviceType(userAgent)).toBe(expected)
  })
})
