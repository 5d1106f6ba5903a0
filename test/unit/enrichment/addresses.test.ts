import { describe, expect, it } from 'vitest'
import {
  formatIp,
  isReservedIp,
  parseIp,
  type IpAddress,
} from '../../../server/src/enrichment/ip-address.ts'
import { parseCidr, PrefixTable, type Cidr } from '../../../server/src/enrichment/prefix-table.ts'

const ip = (text: string): IpAddress => {
  const parsed = parseIp(text)
  if (parsed === undefined) throw new Error(`test address ${text} does not parse`)
  return parsed
}
const cidr = (text: string): Cidr => {
  const parsed = parseCidr(text)
  if (typeof parsed === 'string') throw new Error(parsed)
  return parsed
}

describe('parseIp', () => {
  it('reads IPv4 and IPv6, and an IPv4-mapped IPv6 address as the IPv4 one', () => {
    expect(ip('203.0.113.7')).toEqual({ version: 4, value: 0xcb007107 })
    expect(ip('::ffff:203.0.113.7')).toEqual({ version: 4, value: 0xcb007107 })
    expect(ip('2001:db8::1')).toEqual({ version: 6, value: 0x20010db8000000000000000000000001n })
    expect(formatIp(ip('2001:DB8:0:0:0:0:0:1%eth0'))).toBe('2001:db8:0:0:0:0:0:1')
    expect(formatIp(ip('::ffff:81.2.69.142'))).toBe('81.2.69.142')
  })

  it.each([undefined, '', 'localhost', '1.2.3', '1.2.3.256', '::g', '[::1]'])(
    'gives nothing for %j',
    (text) => {
      expect(parseIp(text)).toBeUndefined()
    },
  )
})

describe('isReservedIp', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '100.64.0.1',
    '169.254.1.1',
    '0.0.0.0',
    '::1',
    '::',
    'fd00::1',
    'fe80::1',
    '::ffff:127.0.0.1',
  ])('skips public data lookups for the private or loopback address %s', (text) => {
    expect(isReservedIp(ip(text))).toBe(true)
  })

  it.each(['81.2.69.142', '8.8.8.8', '172.32.0.1', '2001:4860:4860::8888', '2a00:1450::1'])(
    'looks up the public address %s',
    (text) => {
      expect(isReservedIp(ip(text))).toBe(false)
    },
  )
})

describe('parseCidr', () => {
  it('reads IPv4 and IPv6 networks and bare addresses', () => {
    expect(cidr('198.51.100.0/24')).toMatchObject({ version: 4, bits: 24 })
    expect(cidr('2001:db8::/32')).toMatchObject({ version: 6, bits: 32 })
    expect(cidr('198.51.100.7')).toMatchObject({ version: 4, bits: 32 })
  })

  it.each([
    ['10.1.2.3/8', 'host bits set'],
    ['10.0.0.0/33', 'prefix length'],
    ['10.0.0.0/-1', 'prefix length'],
    ['10.0.0.0/8/1', 'is not a network'],
    ['acme.com', 'is not a network'],
  ])('refuses %s, saying why', (text, why) => {
    expect(parseCidr(text)).toContain(why)
  })
})

describe('PrefixTable', () => {
  it('answers the most specific network holding the address, IPv4 and IPv6', () => {
    const table = new PrefixTable<string>()
    table.add(cidr('198.51.0.0/16'), 'wide')
    table.add(cidr('198.51.100.0/24'), 'narrow')
    table.add(cidr('2001:db8::/32'), 'v6-wide')
    table.add(cidr('2001:db8:ac::/48'), 'v6-narrow')
    expect(table.get(ip('198.51.100.9'))).toBe('narrow')
    expect(table.get(ip('198.51.7.9'))).toBe('wide')
    expect(table.get(ip('::ffff:198.51.100.9'))).toBe('narrow')
    expect(table.get(ip('198.52.0.1'))).toBeUndefined()
    expect(table.get(ip('2001:db8:ac:1::5'))).toBe('v6-narrow')
    expect(table.get(ip('2001:db8:ffff::5'))).toBe('v6-wide')
    expect(table.get(ip('2001:db9::1'))).toBeUndefined()
    expect(table.size).toBe(4)
  })

  it('keeps IPv4 and IPv6 apart: ::/0 never answers an IPv4 address', () => {
    const table = new PrefixTable<string>()
    table.add(cidr('::/0'), 'every v6')
    expect(table.get(ip('203.0.113.1'))).toBeUndefined()
    expect(table.get(ip('2001:db8::1'))).toBe('every v6')
  })
})
