import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { NetworkInfo } from './enrichment.ts'
import type { IpAddress } from './ip-address.ts'
import { RangeTable, RangeTableBuilder } from './range-table.ts'

/** Looks up the network that announces an address. */
export type NetworkLookup = (ip: IpAddress) => NetworkInfo | undefined

/** The files of an ip-location-db ASN folder (`@ip-location-db/asn`): decimal bounds, per family. */
export const asnCsvFiles = ['asn-ipv4-num.csv', 'asn-ipv6-num.csv'] as const

/**
 * Reads an ip-location-db ASN folder (`start,end,asn,organisation` per line, bounds as decimal
 * integers, ascending) into a range table. Throws with the file and line of the first bad row.
 */
export function readAsnCsvFolder(folder: string): RangeTable<NetworkInfo> {
  const builder = new RangeTableBuilder<NetworkInfo>()
  for (const [name, version] of [
    [asnCsvFiles[0], 4],
    [asnCsvFiles[1], 6],
  ] as const) {
    const file = join(folder, name)
    addCsv(builder, version, readFileSync(file, 'utf8'), file)
  }
  if (builder.values.length === 0) throw new Error(`${folder}: no ASN ranges found`)
  return new RangeTable(builder)
}

/** Adds the rows of one CSV text to the builder. */
export function addCsv(
  builder: RangeTableBuilder<NetworkInfo>,
  version: 4 | 6,
  text: string,
  file: string,
): void {
  let line = 0
  let at = 0
  while (at < text.length) {
    let next = text.indexOf('\n', at)
    if (next === -1) next = text.length
    line += 1
    const row = text.slice(at, next).replace(/\r$/, '')
    at = next + 1
    if (row === '') continue
    const fields = splitCsvRow(row)
    const [start = '', end = '', asn = '', org = ''] = fields
    if (fields.length < 3 || !decimal.test(start) || !decimal.test(end) || !decimal.test(asn)) {
      throw new Error(`${file}:${line}: expected start,end,asn,organisation with decimal numbers`)
    }
    const make = (): NetworkInfo => ({ asn: Number(asn), org })
    try {
      if (version === 4) builder.add4(Number(start), Number(end), `${asn},${org}`, make)
      else builder.add6(BigInt(start), BigInt(end), `${asn},${org}`, make)
    } catch (error) {
      throw new Error(`${file}:${line}: ${(error as Error).message}`, { cause: error })
    }
  }
}

const decimal = /^\d{1,39}$/

/** Splits one CSV row, with `"quoted, fields"` and `""` for a quote inside them. */
function splitCsvRow(row: string): string[] {
  if (!row.includes('"')) return row.split(',')
  const fields: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < row.length; i += 1) {
    const char = row[i]
    if (quoted) {
      if (char === '"' && row[i + 1] === '"') {
        field += '"'
        i += 1
      } else if (char === '"') quoted = false
      else field += char
    } else if (char === '"') quoted = true
    else if (char === ',') {
      fields.push(field)
      field = ''
    } else field += char
  }
  fields.push(field)
  return fields
}
