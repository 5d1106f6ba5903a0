import { describe, expect, it } from 'vitest'
import { addCsv } from '../../../server/src/enrichment/asn-database.ts'
import type { NetworkInfo } from '../../../server/src/enrichment/enrichment.ts'
import { parseIp } from '../../../server/src/enrichment/ip-address.ts'
import { RangeTable, RangeTableBuilder } from '../../../server/src/enrichment/range-table.ts'

const v4csv = [
  '16777216,16777471,13335,"Cloudflare, Inc."',
  '16778240,16779263,38803,Gtelecom Pty Ltd',
  // Overlaps the row before: only its part after it counts.
  '16779000,16780000,64500,"Overlap ""Ltd"""',
  '',
].join('\n')
const v6csv =
  '42540766411282592856903984951653826560,42540766490510755371168322545197776895,64501,Doc Net\r\n'

function table(): { table: RangeTable<NetworkInfo>; builder: RangeTableBuilder<NetworkInfo> } {
  const builder = new RangeTableBuilder<NetworkInfo>()
  addCsv(builder, 4, v4csv, 'v4.csv')
  addCsv(builder, 6, v6csv, 'v6.csv')
  return { table: new RangeTable(builder), builder }
}

const lookup = (text: string) => table().table.get(parseIp(text) ?? { version: 4, value: 0 })

describe('the ASN range table', () => {
  it('finds the network of an IPv4 address, with a quoted organisation', () => {
    expect(lookup('1.0.0.1')).toEqual({ asn: 13335, org: 'Cloudflare, Inc.' })
    expect(lookup('1.0.4.10')).toEqual({ asn: 38803, org: 'Gtelecom Pty Ltd' })
  })

  it('finds the network of an IPv6 address', () => {
    expect(lookup('2001:db8::1')).toEqual({ asn: 64501, org: 'Doc Net' })
    expect(lookup('2001:db9::1')).toBeUndefined()
  })

  it('answers nothing between ranges or outside them', () => {
    expect(lookup('1.0.1.0')).toBeUndefined()
    expect(lookup('0.0.0.1')).toBeUndefined()
    expect(lookup('255.255.255.255')).toBeUndefined()
  })

  it('cuts an overlapping range to start after the previous one, and counts it', () => {
    const { builder } = table()
    expect(builder.clipped).toBe(1)
    // 16779263 is the end of Gtelecom's range; the overlap row owns what follows.
    expect(lookup('1.0.7.255')).toEqual({ asn: 38803, org: 'Gtelecom Pty Ltd' })
    expect(lookup('1.0.8.0')).toEqual({ asn: 64500, org: 'Overlap "Ltd"' })
  })

  it('names the file and line of a bad row', () => {
    const builder = new RangeTableBuilder<NetworkInfo>()
    expect(() => addCsv(builder, 4, '1,2,3,ok\nnot,a,row\n', 'asn.csv')).toThrow(
      /asn\.csv:2: expected/,
    )
    expect(() => addCsv(builder, 4, '100,200,3,b\n10,20,3,c\n', 'asn.csv')).toThrow(
      /asn\.csv:2: ranges are not in ascending order/,
    )
  })
})
