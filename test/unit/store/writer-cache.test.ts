import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { WriterCache } from '../../../server/src/store/sqlite/writer-cache.ts'
import type { Row } from '../../../server/src/store/store-rows.ts'

const profileRow = (id: string, userId: string | null, doc = '{}'): Row => ({
  id,
  user_id: userId,
  account_id: null,
  doc,
  created_at: 1,
  updated_at: 1,
})

/** The profiles table the cache stands in front of, reduced to what its lookups read. */
class ProfilesTable {
  readonly rows = new Map<string, Row>()
  loads = 0
  profile = (id: string) => () => {
    this.loads += 1
    return this.rows.get(id)
  }
  byUser = (userId: string) => () => {
    this.loads += 1
    return [...this.rows.values()].find((row) => row.user_id === userId)?.id as string | undefined
  }
}

describe('WriterCache', () => {
  it('answers a second lookup of a row it found without asking again, and asks again after a miss', () => {
    const table = new ProfilesTable()
    const cache = new WriterCache(10)
    table.rows.set('p1', profileRow('p1', 'U'))
    expect(cache.profile('p1', table.profile('p1'))).toEqual(profileRow('p1', 'U'))
    expect(cache.profile('p1', table.profile('p1'))).toEqual(profileRow('p1', 'U'))
    expect(table.loads).toBe(1)
    expect(cache.profile('p2', table.profile('p2'))).toBeUndefined()
    expect(cache.profile('p2', table.profile('p2'))).toBeUndefined()
    expect(table.loads).toBe(3)
  })

  it('keeps at most its bound of each kind, dropping the least recently used', () => {
    const table = new ProfilesTable()
    const cache = new WriterCache(2)
    for (const id of ['a', 'b', 'c']) table.rows.set(id, profileRow(id, null))
    cache.profile('a', table.profile('a'))
    cache.profile('b', table.profile('b'))
    cache.profile('a', table.profile('a'))
    cache.profile('c', table.profile('c'))
    table.loads = 0
    cache.profile('a', table.profile('a'))
    expect(table.loads).toBe(0)
    cache.profile('b', table.profile('b'))
    expect(table.loads).toBe(1)
  })

  it('asks every time and keeps nothing when its bound is 0', () => {
    const table = new ProfilesTable()
    const cache = new WriterCache(0)
    table.rows.set('p1', profileRow('p1', 'U'))
    cache.profileWritten(profileRow('p1', 'U'))
    cache.profile('p1', table.profile('p1'))
    cache.profileIdByUserId('U', table.byUser('U'))
    expect(table.loads).toBe(2)
    expect(cache.size).toBe(0)
  })

  it('keeps its user-id index as bounded as the rest, however many users pass through', () => {
    const cache = new WriterCache(3)
    for (let n = 0; n < 100; n += 1) {
      cache.profileIdByUserId(`U${n}`, () => `p${n}`)
      cache.profileWritten(profileRow(`q${n}`, `V${n}`))
    }
    // Profiles and user ids at most 3 each, and the reverse index no more than the user ids.
    expect(cache.size).toBeLessThanOrEqual(9)
  })

  it('frees a user id when its profile is deleted or takes another one', () => {
    const table = new ProfilesTable()
    const cache = new WriterCache(10)
    table.rows.set('p1', profileRow('p1', 'U'))
    expect(cache.profileIdByUserId('U', table.byUser('U'))).toBe('p1')
    table.rows.set('p1', profileRow('p1', 'V'))
    cache.profileWritten(profileRow('p1', 'V'))
    expect(cache.profileIdByUserId('U', table.byUser('U'))).toBeUndefined()
    expect(cache.profileIdByUserId('V', () => undefined)).toBe('p1')
    table.rows.delete('p1')
    cache.profileDeleted('p1')
    expect(cache.profileIdByUserId('V', table.byUser('V'))).toBeUndefined()
  })

  it('keeps the columns of an account that an update did not set', () => {
    const cache = new WriterCache(10)
    cache.accountWritten({ id: 'a1', doc: '{"v":1}', created_at: 5, updated_at: 5 })
    cache.accountUpdated('a1', { doc: '{"v":2}', updated_at: 9 })
    cache.accountUpdated('a2', { doc: '{}', updated_at: 9 })
    expect(cache.account('a1', () => undefined)).toEqual({
      id: 'a1',
      doc: '{"v":2}',
      created_at: 5,
      updated_at: 9,
    })
    expect(cache.account('a2', () => undefined)).toBeUndefined()
  })

  it('answers every profile lookup as the table would, whatever writes, deletes and evictions came before', () => {
    const ids = ['p1', 'p2', 'p3', 'p4']
    const users = ['U', 'V', 'W']
    const step = fc.oneof(
      fc.record({
        op: fc.constant('write' as const),
        id: fc.constantFrom(...ids),
        user: fc.option(fc.constantFrom(...users)),
      }),
      fc.record({ op: fc.constant('delete' as const), id: fc.constantFrom(...ids) }),
      fc.record({ op: fc.constant('byId' as const), id: fc.constantFrom(...ids) }),
      fc.record({ op: fc.constant('byUser' as const), user: fc.constantFrom(...users) }),
      fc.record({ op: fc.constant('clear' as const) }),
    )
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.array(step, { maxLength: 60 }),
        (bound, steps) => {
          const table = new ProfilesTable()
          const cache = new WriterCache(bound)
          let n = 0
          for (const s of steps) {
            switch (s.op) {
              case 'write': {
                // A user id is unique: the table (like SQLite's index) refuses a second holder,
                // and the engine clears the cache when it rolls that write back.
                const holder = [...table.rows.values()].find((row) => row.user_id === s.user)
                if (s.user !== null && holder !== undefined && holder.id !== s.id) {
                  cache.clear()
                  break
                }
                const row = profileRow(s.id, s.user, `{"n":${(n += 1)}}`)
                table.rows.set(s.id, row)
                cache.profileWritten(row)
                break
              }
              case 'delete':
                table.rows.delete(s.id)
                cache.profileDeleted(s.id)
                break
              case 'byId':
                expect(cache.profile(s.id, table.profile(s.id))).toEqual(table.rows.get(s.id))
                break
              case 'byUser':
                expect(cache.profileIdByUserId(s.user, table.byUser(s.user))).toBe(
                  table.byUser(s.user)(),
                )
                break
              case 'clear':
                cache.clear()
            }
          }
        },
      ),
    )
  })
})
