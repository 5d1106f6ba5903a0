import { describe, expect, it } from 'vitest'
import { negotiateEncoding } from '../../server/src/client-assets/negotiate-encoding.ts'

describe('content coding negotiation', () => {
  it('prefers brotli, then gzip, else sends the file as is', () => {
    expect(negotiateEncoding('gzip, deflate, br, zstd')).toBe('br')
    expect(negotiateEncoding('gzip, deflate')).toBe('gzip')
    expect(negotiateEncoding(undefined)).toBe('identity')
    expect(negotiateEncoding('deflate')).toBe('identity')
  })

  it('follows q-values, and q=0 refuses a coding', () => {
    expect(negotiateEncoding('br;q=0, gzip')).toBe('gzip')
    expect(negotiateEncoding('br;q=0.5, gzip;q=0.9')).toBe('gzip')
    expect(negotiateEncoding('gzip;q=0, br;q=0')).toBe('identity')
  })

  it('reads * as every coding not named', () => {
    expect(negotiateEncoding('*')).toBe('br')
    expect(negotiateEncoding('*, br;q=0')).toBe('gzip')
  })
})
