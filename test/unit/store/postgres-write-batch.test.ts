import { describe, expect, it } from 'vitest'
import { newProfile, type Account } from '../../../server/src/profile/profile.ts'
import type { WriteOp } from '../../../server/src/store/call-batch.ts'
import { encodeGroupWrites } from '../../../server/src/store/postgres/postgres-write-batch.ts'

const account = (id: string, updatedAt: number): Account => ({
  id,
  traits: {},
  createdAt: 1,
  updatedAt,
})

/** The writes of an identify of a new user on a new device, of company `company`. */
function identify(n: number, company: string): WriteOp[] {
  return [
    { op: 'claimMessage', key: `m-${n}`, receivedAt: n },
    { op: 'putProfile', profile: newProfile(`p-${n}`, `u-${n}`, n) },
    { op: 'linkAnonymousId', anonymousId: `d-${n}`, profileId: `p-${n}`, at: n },
    { op: 'putAccount', account: account(company, n) },
    {
      op: 'appendMergeLog',
      entry: {
        at: n,
        kind: 'identified',
        fromProfileId: null,
        intoProfileId: `p-${n}`,
        anonymousId: `d-${n}`,
        userId: `u-${n}`,
        reason: 'identify',
        messageId: `m-${n}`,
      },
    },
  ]
}

/** Which tables each step writes and how many rows, or the step itself when it stands alone. */
function shape(steps: unknown[][]): unknown[] {
  return steps.map(([kind, ...rest]) => {
    if (kind !== 'rows') return [kind, ...rest]
    const tables = rest[0] as Record<string, unknown[][]>
    return Object.fromEntries(Object.entries(tables).map(([table, rows]) => [table, rows.length]))
  })
}

/** The rows of step `index`, a `rows` step. */
function tablesOf(steps: unknown[][], index: number): Record<string, unknown[][] | undefined> {
  const step = steps[index]
  expect(step?.[0]).toBe('rows')
  return step?.[1] as Record<string, unknown[][] | undefined>
}

describe('encodeGroupWrites', () => {
  it('writes a group of distinct keys as one step, each table in the order of its writes', () => {
    const steps = encodeGroupWrites([identify(1, 'c-a'), identify(2, 'c-b'), identify(3, 'c-c')])
    expect(shape(steps)).toEqual([{ claims: 3, profiles: 3, links: 3, accounts: 3, logs: 3 }])
    const tables = tablesOf(steps, 0)
    expect(tables.claims).toEqual([
      ['m-1', 1],
      ['m-2', 2],
      ['m-3', 3],
    ])
    expect(tables.links?.map((row) => row[0])).toEqual(['d-1', 'd-2', 'd-3'])
    expect(tables.accounts?.map((row) => row[0])).toEqual(['c-a', 'c-b', 'c-c'])
  })

  it('starts a new step where a write names a row the step already writes', () => {
    // The second call updates the first one's account: an upsert may touch a row once a statement.
    const steps = encodeGroupWrites([identify(1, 'c-a'), identify(2, 'c-a'), identify(3, 'c-b')])
    expect(shape(steps)).toEqual([
      { claims: 2, profiles: 2, links: 2, accounts: 1, logs: 1 },
      { accounts: 2, logs: 2, claims: 1, profiles: 1, links: 1 },
    ])
    expect(tablesOf(steps, 0).accounts?.[0]?.[3]).toBe(1)
    expect(tablesOf(steps, 1).accounts?.map((row) => [row[0], row[3]])).toEqual([
      ['c-a', 2],
      ['c-b', 3],
    ])
  })

  it('never splits on appended rows, and splits on a repeated conversion', () => {
    const event = (n: number): WriteOp => ({
      op: 'appendEvent',
      event: {
        profileId: 'p',
        type: 'track',
        name: 'Clicked',
        at: n,
        receivedAt: n,
        messageId: `m-${n}`,
        properties: {},
      },
    })
    const conversion: WriteOp = {
      op: 'recordConversion',
      conversion: { profileId: 'p', experienceId: 'e', goal: 'g', at: 1 },
    }
    expect(
      shape(
        encodeGroupWrites([
          [event(1), conversion],
          [event(2), conversion],
        ]),
      ),
    ).toEqual([{ events: 2, conversions: 1 }, { conversions: 1 }])
  })

  it('carries out a merge, a delete and an unlink on their own, between the rows around them', () => {
    const merge: WriteOp[] = [
      { op: 'claimMessage', key: 'm-merge', receivedAt: 5 },
      { op: 'moveProfileData', fromProfileId: 'p-1', toProfileId: 'p-2' },
      { op: 'deleteProfile', id: 'p-1' },
      { op: 'unlinkAnonymousId', anonymousId: 'd-9' },
      { op: 'putProfile', profile: newProfile('p-2', 'u-2', 5) },
    ]
    expect(shape(encodeGroupWrites([identify(1, 'c-a'), merge]))).toEqual([
      { claims: 2, profiles: 1, links: 1, accounts: 1, logs: 1 },
      ['move', 'p-1', 'p-2'],
      ['delete', 'p-1'],
      ['unlink', 'd-9'],
      { profiles: 1 },
    ])
  })

  it('writes nothing for a group without writes', () => {
    expect(encodeGroupWrites([[], []])).toEqual([])
  })
})
