import { describe, expect, it } from 'vitest'
import { junkIdReason } from '../../../server/src/identity/junk-ids.ts'
import { junkIds } from '../../fixtures/junk-ids.ts'

const real = [
  'a1cab6eb-fe12-4ded-beb5-201e9cb575c7',
  'marc@salesforce.com',
  '42',
  'user-0',
  'nullable',
  'x'.repeat(400),
]

describe('junkIdReason', () => {
  it.each(junkIds)('refuses %j as an id', (id) => {
    expect(junkIdReason(id)).toEqual(expect.any(String))
  })

  it.each(real)('accepts %j as an id', (id) => {
    expect(junkIdReason(id)).toBeUndefined()
  })
})
