import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fromSqlite, toSqlite } from '../../../server/src/store/sqlite/sqlite-values.ts'

describe('SQLite compact values', () => {
  it('binds a canonical UUID as its 16 bytes and reads them back as the same text', () => {
    fc.assert(
      fc.property(fc.uuid(), (id) => {
        const bound = toSqlite(id)
        expect(bound).toEqual(Buffer.from(id.replaceAll('-', ''), 'hex'))
        expect(fromSqlite({ id: bound }).id).toBe(id)
      }),
    )
  })

  it('leaves every other value as it is', () => {
    for (const value of [
      '0B6C2A4E-5D1F-4C8E-9A3B-7E2F1D0C9B8A',
      '0b6c2a4e5d1f4c8e9a3b7e2f1d0c9b8a0000',
      '0b6c2a4e-5d1f-4c8e-9a3b-7e2f1d0c9b8g',
      'user-1',
      '',
      42,
      null,
    ]) {
      expect(toSqlite(value)).toBe(value)
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        const bound = toSqlite(text)
        if (Buffer.isBuffer(bound)) expect(fromSqlite({ x: bound }).x).toBe(text)
        else expect(bound).toBe(text)
      }),
    )
  })
})
