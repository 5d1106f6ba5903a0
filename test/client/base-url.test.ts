import { describe, expect, it } from 'vitest'
import { baseFromScriptSrc } from '../../client/src/base-url.ts'

describe('client base URL', () => {
  it('strips the client path from the stable and the versioned script URL', () => {
    expect(baseFromScriptSrc('https://www.site.com/parley/client.js')).toBe('https://www.site.com')
    expect(baseFromScriptSrc('https://www.site.com/parley/client.0123abcdef.js?x=1')).toBe(
      'https://www.site.com',
    )
  })

  it('keeps the path a site mounts the container under', () => {
    expect(baseFromScriptSrc('https://www.site.com/metrics/parley/client.js')).toBe(
      'https://www.site.com/metrics',
    )
  })

  it('gives nothing for a URL that is not the client', () => {
    expect(baseFromScriptSrc('https://cdn.site.com/app.js')).toBeUndefined()
    expect(baseFromScriptSrc('')).toBeUndefined()
  })
})
