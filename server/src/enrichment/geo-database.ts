import { readFileSync } from 'node:fs'
import { Reader, type Response } from 'mmdb-lib'
import type { Enrichment, NetworkInfo } from './enrichment.ts'
import { formatIp, type IpAddress } from './ip-address.ts'

/** What a geo database tells about an address. */
export type GeoLookup = (ip: IpAddress) => Pick<Enrichment, 'country' | 'region'> | undefined

/**
 * Opens an MMDB file (MaxMind DB format) from disk into memory and checks it answers. Throws on
 * a missing, unreadable or corrupt file; the caller decides what running without it means.
 */
export function openMmdb(file: string): Reader<Response> {
  const reader = new Reader<Response>(readFileSync(file))
  // A truncated tree fails on the first read, not at open: try one now, while we can say so.
  reader.get('1.1.1.1')
  return reader
}

/**
 * Country and region from a geo MMDB. Reads both common layouts: MaxMind's GeoIP2 / GeoLite2
 * (`country.iso_code`, `subdivisions[0].iso_code`) and ip-location-db's (`country_code`,
 * `state1`), so an operator can drop in either.
 */
export function geoLookup(reader: Reader<Response>): GeoLookup {
  return (ip) => {
    const record: unknown = reader.get(formatIp(ip))
    if (!isObject(record)) return undefined
    const country = text(record.country_code) ?? text(field(record.country, 'iso_code'))
    const subdivisions = record.subdivisions
    const first: unknown = Array.isArray(subdivisions) ? subdivisions[0] : undefined
    const region =
      text(field(first, 'iso_code')) ??
      text(field(field(first, 'names'), 'en')) ??
      text(record.state1)
    if (country === undefined && region === undefined) return undefined
    return {
      ...(country === undefined ? {} : { country: country.toUpperCase() }),
      ...(region === undefined ? {} : { region }),
    }
  }
}

/** The network of an address from an ASN MMDB (GeoLite2-ASN layout, or ipinfo's `asn`/`as_name`). */
export function mmdbNetworkLookup(
  reader: Reader<Response>,
): (ip: IpAddress) => NetworkInfo | undefined {
  return (ip) => {
    const record: unknown = reader.get(formatIp(ip))
    if (!isObject(record)) return undefined
    const raw = record.autonomous_system_number ?? record.asn
    const asn =
      typeof raw === 'number'
        ? raw
        : typeof raw === 'string'
          ? Number(raw.replace(/^AS/i, ''))
          : NaN
    if (!Number.isInteger(asn) || asn <= 0) return undefined
    const org = text(record.autonomous_system_organization) ?? text(record.as_name) ?? ''
    return { asn, org }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function field(value: unknown, key: string): unknown {
  return isObject(value) ? value[key] : undefined
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined
}
