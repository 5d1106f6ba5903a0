import { parseIp, type IpAddress } from './ip-address.ts'

/** A network in CIDR notation, parsed: its address family, masked network and prefix length. */
export interface Cidr {
  version: 4 | 6
  network: bigint
  bits: number
}

/**
 * Parses `203.0.113.0/24`, `2001:db8::/32` or a bare address (a /32 or /128). Returns why it is
 * wrong as a string. Host bits set below the prefix are a mistake worth naming (`10.1.2.3/8`
 * probably meant something else), so they are refused rather than masked.
 */
export function parseCidr(text: string): Cidr | string {
  const [address, length, extra] = text.trim().split('/')
  const ip = parseIp(address)
  if (ip === undefined || extra !== undefined) {
    return `"${text}" is not a network like 203.0.113.0/24 or 2001:db8::/32`
  }
  const max = ip.version === 4 ? 32 : 128
  const bits = length === undefined ? max : Number(length)
  if (!Number.isInteger(bits) || bits < 0 || bits > max || !/^\d+$/.test(length ?? String(max))) {
    return `"${text}": the prefix length must be a whole number from 0 to ${max}`
  }
  const value = valueOf(ip)
  const network = mask(value, bits, max)
  if (network !== value) return `"${text}" has host bits set below /${bits}`
  return { version: ip.version, network, bits }
}

function valueOf(ip: IpAddress): bigint {
  return ip.version === 4 ? BigInt(ip.value) : ip.value
}

function mask(value: bigint, bits: number, max: number): bigint {
  const shift = BigInt(max - bits)
  return (value >> shift) << shift
}

/**
 * Longest-prefix match over CIDR networks: the most specific network holding an address wins,
 * so an operator can map a /16 to a company and carve a /24 out of it for another. A lookup
 * costs one map probe per distinct prefix length in use (a few, in practice).
 */
export class PrefixTable<T> {
  readonly #byFamily = {
    4: new Map<number, Map<bigint, T>>(),
    6: new Map<number, Map<bigint, T>>(),
  }
  #lengths: { 4: number[]; 6: number[] } = { 4: [], 6: [] }

  /** Adds a network; a network added twice keeps its first value. */
  add(cidr: Cidr, value: T): void {
    const family = this.#byFamily[cidr.version]
    let networks = family.get(cidr.bits)
    if (networks === undefined) {
      networks = new Map()
      family.set(cidr.bits, networks)
      this.#lengths[cidr.version] = [...family.keys()].sort((a, b) => b - a)
    }
    if (!networks.has(cidr.network)) networks.set(cidr.network, value)
  }

  /** The value of the most specific network holding `ip`, or `undefined`. */
  get(ip: IpAddress): T | undefined {
    const family = this.#byFamily[ip.version]
    const max = ip.version === 4 ? 32 : 128
    const value = valueOf(ip)
    for (const bits of this.#lengths[ip.version]) {
      const hit = family.get(bits)?.get(mask(value, bits, max))
      if (hit !== undefined) return hit
    }
    return undefined
  }

  /** How many networks the table holds. */
  get size(): number {
    let count = 0
    for (const family of Object.values(this.#byFamily)) {
      for (const networks of family.values()) count += networks.size
    }
    return count
  }
}
