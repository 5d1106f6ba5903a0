import { describe, expect, it } from 'vitest'
import { clientAddress } from '../../../server/src/http/client-address.ts'

describe('clientAddress', () => {
  it('takes the connection’s address for browser traffic, whatever context.ip claims', () => {
    expect(clientAddress({ ip: '198.51.100.4' }, false, { ip: '203.0.113.7' })).toBe('198.51.100.4')
    expect(clientAddress({ ip: undefined }, false, { ip: '203.0.113.7' })).toBeUndefined()
  })

  it('takes context.ip from a trusted server key, not the backend’s own address', () => {
    expect(clientAddress({ ip: '10.0.0.2' }, true, { ip: ' 203.0.113.7 ' })).toBe('203.0.113.7')
    expect(clientAddress({ ip: '10.0.0.2' }, true, { ip: '2001:db8::1' })).toBe('2001:db8::1')
  })

  it('has no address for a server call without a valid context.ip', () => {
    expect(clientAddress({ ip: '10.0.0.2' }, true, {})).toBeUndefined()
    expect(clientAddress({ ip: '10.0.0.2' }, true, undefined)).toBeUndefined()
    expect(clientAddress({ ip: '10.0.0.2' }, true, { ip: 'not an address' })).toBeUndefined()
    expect(clientAddress({ ip: '10.0.0.2' }, true, { ip: 12 })).toBeUndefined()
  })
})
