import { describe, expect, it } from 'vitest'
import { decideIdentity } from '../../../server/src/identity/decide-identity.ts'

const none = { anonymousProfile: undefined, userProfileId: undefined }

describe('decideIdentity', () => {
  it('creates an anonymous profile for a new device without a user id', () => {
    expect(decideIdentity({ anonymousId: 'A', userId: undefined, ...none })).toEqual({
      kind: 'create',
      userId: null,
      anonymousId: 'A',
    })
  })

  it('keeps an anonymous call on the device profile', () => {
    const plan = decideIdentity({
      anonymousId: 'A',
      userId: undefined,
      anonymousProfile: { id: 'p1', userId: 'U' },
      userProfileId: undefined,
    })
    expect(plan).toEqual({ kind: 'use', profileId: 'p1' })
  })

  it('turns an anonymous profile into the user when nobody knows the user yet', () => {
    const plan = decideIdentity({
      anonymousId: 'A',
      userId: 'U',
      anonymousProfile: { id: 'p1', userId: null },
      userProfileId: undefined,
    })
    expect(plan).toEqual({ kind: 'use', profileId: 'p1', setUserId: 'U' })
  })

  it('merges an anonymous device profile into the known user', () => {
    const plan = decideIdentity({
      anonymousId: 'B',
      userId: 'U',
      anonymousProfile: { id: 'p2', userId: null },
      userProfileId: 'p1',
    })
    expect(plan).toEqual({ kind: 'merge', fromProfileId: 'p2', intoProfileId: 'p1' })
  })

  it('attaches a brand-new device straight to the known user', () => {
    const plan = decideIdentity({
      anonymousId: 'B',
      userId: 'U',
      anonymousProfile: undefined,
      userProfileId: 'p1',
    })
    expect(plan).toEqual({ kind: 'use', profileId: 'p1', addAnonymousId: 'B' })
  })

  it('never merges two known users: a device of V identified as U is a conflict', () => {
    const plan = decideIdentity({
      anonymousId: 'A',
      userId: 'U',
      anonymousProfile: { id: 'pV', userId: 'V' },
      userProfileId: 'pU',
    })
    expect(plan).toEqual({
      kind: 'conflict',
      anonymousId: 'A',
      previousProfileId: 'pV',
      previousUserId: 'V',
      userProfileId: 'pU',
    })
  })

  it('creates the known user from a server call without a device', () => {
    expect(decideIdentity({ anonymousId: undefined, userId: 'U', ...none })).toEqual({
      kind: 'create',
      userId: 'U',
      anonymousId: null,
    })
  })
})
