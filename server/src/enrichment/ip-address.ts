import { isIP } from 'node:net'

/** A parsed client address: IPv4 as a 32-bit number, IPv6 as a 128-bit bigint. */
export type IpAddress = { version: 4; value: number } | { version: 6; value: bigint }

/**
 * Parses an address as `req.ip` gives it. IPv4-mapped IPv6 (`::ffff:203.0.113.7`, what Node
 * reports on a dual-stack socket) counts as the IPv4 address; a zone (`%eth0`) is dropped.
 * Anything else that is not an address gives `undefined`.
 */
export function parseIp(text: string | undefined): IpAddress | undefined {
  if (text === undefined) return undefined
  const ip = text.split('%', 1)[0] ?? ''
  const kind = isIP(ip)
  if (kind === 4) return { version: 4, value: ipv4Value(ip) }
  if (kind !== 6) return undefined
  const value = ipv6Value(ip)
  if (value >> 32n === 0xffffn) return { version: 4, value: Number(value & 0xffffffffn) }
  return { version: 6, value }
}

/** The text form of a parsed address (IPv4 dotted, IPv6 in full lower-case groups). */
export function formatIp(ip: IpAddress): string {
  if (ip.version === 4) {
    const v = ip.value
    return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.')
  }
  const groups: string[] = []
  for (let shift = 112n; shift >= 0n; shift -= 16n) {
    groups.push(((ip.value >> shift) & 0xffffn).toString(16))
  }
  return groups.join(':')
}

function ipv4Value(ip: string): number {
  let value = 0
  for (const part of ip.split('.')) value = value * 256 + Number(part)
  return value
}

function ipv6Value(ip: string): bigint {
  let text = ip.toLowerCase()
  // A trailing dotted quad (`::ffff:1.2.3.4`, `64:ff9b::1.2.3.4`) is two groups.
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (quad?.[1] !== undefined) {
    const v = ipv4Value(quad[1])
    text = `${text.slice(0, -quad[1].length)}${(v >>> 16).toString(16)}:${(v & 0xffff).toString(16)}`
  }
  const [head = '', tail] = text.split('::', 2)
  const left = head === '' ? [] : head.split(':')
  const right = tail === undefined || tail === '' ? [] : tail.split(':')
  const missing = tail === undefined ? 0 : 8 - left.length - right.length
  const groups = [...left, ...Array.from({ length: missing }, () => '0'), ...right]
  let value = 0n
  for (const group of groups) value = (value << 16n) | BigInt(parseInt(group, 16))
  return value
}

/** Networks that never belong to a visitor's organisation on the public internet. */
const reservedV4: [number, number][] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['224.0.0.0', 3],
].map(([net, bits]) => [ipv4Value(net as string), bits as number])

const reservedV6: [bigint, number][] = [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
].map(([net, bits]) => [ipv6Value(net as string), bits as number])

/**
 * True for loopback, private (RFC 1918, unique-local), carrier-grade NAT, link-local, multicast
 * and unspecified addresses: public geo and network data knows nothing about them, so they are
 * not looked up there (the operator's own ranges file may still map them: an office behind a VPN).
 */
export function isReservedIp(ip: IpAddress): boolean {
  if (ip.version === 4) {
    return reservedV4.some(([net, bits]) => ip.value >>> (32 - bits) === net >>> (32 - bits))
  }
  return reservedV6.some(
    ([net, bits]) => ip.value >> BigInt(128 - bits) === net >> BigInt(128 - bits),
  )
}
