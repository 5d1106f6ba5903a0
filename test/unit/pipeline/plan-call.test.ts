import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Impression } from '../../../server/src/measurement/exposure.ts'
import type { GoalSpec } from '../../../server/src/measurement/goal-conversions.ts'
import type { IngestCall } from '../../../server/src/pipeline/ingest-call.ts'
import type { IngestEvent } from '../../../server/src/pipeline/ingest-event.ts'
import { callRequestOf, planCall } from '../../../server/src/pipeline/plan-call.ts'
import { suppressionKey } from '../../../server/src/privacy/suppression-keys.ts'
import { newProfile, type Profile } from '../../../server/src/profile/profile.ts'
import {
  emptySnapshot,
  type CallRequest,
  type CallSnapshot,
} from '../../../server/src/store/call-batch.ts'
import { StoreConflictError } from '../../../server/src/store/store-conflict.ts'
import { materializeTraits, traitsToTree } from '../../../server/src/traits/trait-tree.ts'
import { serverEvent } from '../../helpers/ingest-events.ts'

/*
 * The pipeline as a pure function, with no store: a snapshot in, writes and an answer out.
 */

const event = serverEvent

/** The event as the call an engine runs: its message id, three fresh ids, and a goal if any. */
function callOf(ingest: IngestEvent, goal?: GoalSpec): IngestCall {
  return {
    event: ingest,
    messageId: ingest.messageId ?? 'm',
    ids: ['new-1', 'new-2', 'new-3'],
    goal,
  }
}

function plan(snapshot: CallSnapshot, ingest: IngestEvent, goal?: GoalSpec) {
  const call = callOf(ingest, goal)
  const request = callRequestOf(call)
  return { request, planned: planCall(snapshot, request, call) }
}

function writesOf(planned: ReturnType<typeof plan>['planned']) {
  if (planned.kind !== 'write') throw new Error(`expected writes, got ${planned.kind}`)
  return planned
}

/**
 * A device's anonymous profile and a known user's, which a call naming both merges, with buckets
 * on both sides: the user's in e1, the device's in e1 and e2.
 */
function mergingSnapshot(): CallSnapshot {
  const impressions: Impression[] = [
    { profileId: 'known', experienceId: 'e1', variation: 'A', control: false, at: 10 },
    { profileId: 'anon', experienceId: 'e1', variation: 'B', control: false, at: 5 },
    { profileId: 'anon', experienceId: 'e2', variation: 'A', control: true, at: 5 },
  ]
  return {
    ...emptySnapshot(),
    devices: [{ anonymousId: 'a1', profileId: 'anon' }],
    users: [{ userId: 'u1', profileId: 'known' }],
    profiles: [newProfile('anon', null, 1), newProfile('known', 'u1', 2)],
    impressions,
  }
}

describe('callRequestOf', () => {
  it('names the devices, user ids, company and email account keys, message and suppression keys', () => {
    const request = callRequestOf(
      callOf(
        event({
          anonymousId: 'a1',
          userId: 'u1',
          traits: { email: 'ann@acme.com' },
          company: { id: 'c1', domain: 'acme.com' },
        }),
      ),
    )
    expect(request).toEqual({
      locks: ['anonymous:a1', 'user:u1', 'account:id:c1', 'account:domain:acme.com'],
      anonymousIds: ['a1'],
      userIds: ['u1'],
      accountKeys: ['id:c1', 'domain:acme.com'],
      messageKey: 'test:m1',
      suppressionKeys: [
        suppressionKey('userId', 'u1'),
        suppressionKey('anonymousId', 'a1'),
        suppressionKey('email', 'ann@acme.com'),
      ],
      impressions: false,
    })
  })
})

describe('callRequestOf and the email domain', () => {
  it('reads (and locks) the email domain account only when no company decides the account', () => {
    const keysOf = (company: IngestEvent['company']) =>
      callRequestOf(callOf(event({ userId: 'u1', traits: { email: 'ann@acme.com' }, company })))
        .accountKeys
    expect(keysOf(undefined)).toEqual(['domain:acme.com'])
    // A shared domain must not queue every call of a company that names its own id.
    expect(keysOf({ id: 'c1' })).toEqual(['id:c1'])
    expect(keysOf(null)).toEqual([])
  })
})

describe('planCall', () => {
  it('creates a profile for a new user and device: claim, link, log, profile', () => {
    const { planned } = plan(emptySnapshot(), event({ anonymousId: 'a1', userId: 'u1' }))
    const { writes, result } = writesOf(planned)
    expect(writes.map((write) => write.op)).toEqual([
      'claimMessage',
      'linkAnonymousId',
      'appendMergeLog',
      'putProfile',
    ])
    expect(result).toMatchObject({ profileId: 'new-1', userId: 'u1', duplicate: false })
  })

  it('answers a seen message as a duplicate and writes nothing', () => {
    const known = newProfile('p1', 'u1', 1)
    const snapshot = {
      ...emptySnapshot(),
      messageSeen: true,
      users: [{ userId: 'u1', profileId: 'p1' }],
      profiles: [known],
    }
    const { writes, result } = writesOf(plan(snapshot, event({ userId: 'u1' })).planned)
    expect(writes).toEqual([])
    expect(result).toMatchObject({ profileId: 'p1', duplicate: true })
    expect(result.warnings.map((warning) => warning.code)).toEqual(['duplicate_message'])
  })

  it('drops a suppressed call without writing even its message id', () => {
    const snapshot = { ...emptySnapshot(), suppressed: [suppressionKey('userId', 'u1')] }
    const { writes, result } = writesOf(plan(snapshot, event({ userId: 'u1' })).planned)
    expect(writes).toEqual([])
    expect(result.warnings.map((warning) => warning.code)).toEqual(['suppressed'])
  })

  it('merges an anonymous device profile into the known user and asks for the domain its email gives', () => {
    const anonymous = {
      ...newProfile('anon', null, 1),
      traits: traitsToTree({ email: 'ann@acme.com' }, 5),
    }
    const snapshot = {
      ...emptySnapshot(),
      devices: [{ anonymousId: 'a1', profileId: 'anon' }],
      users: [{ userId: 'u1', profileId: 'known' }],
      profiles: [anonymous, newProfile('known', 'u1', 2)],
    }
    const call = event({ anonymousId: 'a1', userId: 'u1' })
    const first = plan(snapshot, call)
    // The first read could not know the merged email's domain: read it, then plan again.
    expect(first.planned).toEqual({ kind: 'read-more', accountKeys: ['domain:acme.com'] })
    const request: CallRequest = { ...first.request, accountKeys: ['domain:acme.com'] }
    const again = planCall(snapshot, request, callOf(call))
    const { writes, result } = writesOf(again)
    expect(writes.map((write) => write.op)).toEqual([
      'claimMessage',
      'moveProfileData',
      'deleteProfile',
      'appendMergeLog',
      'putAccount',
      'linkAccountKey',
      'putProfile',
    ])
    expect(result.profileId).toBe('known')
    const written = writes.find((write) => write.op === 'putProfile')
    expect(written?.op === 'putProfile' && materializeTraits(written.profile.traits)).toEqual({
      email: 'ann@acme.com',
    })
  })

  it('re-reads when a device points at a profile that is gone (merged away meanwhile)', () => {
    const snapshot = {
      ...emptySnapshot(),
      users: [{ userId: 'u1', profileId: 'gone' }],
    }
    expect(() => plan(snapshot, event({ anonymousId: 'a1', userId: 'u1' }))).toThrow(
      StoreConflictError,
    )
  })

  it('counts a goal on the impressions the merged profile ends up with', () => {
    const goal: GoalSpec = {
      name: 'Signed up',
      experienceIds: ['e1', 'e2'],
      windowMs: 10_000,
      paused: {},
    }
    const snapshot = mergingSnapshot()
    const call = event({ type: 'track', event: 'Signed up', anonymousId: 'a1', userId: 'u1' })
    const { writes } = writesOf(plan(snapshot, call, goal).planned)
    // The known user's bucket in e1 stands; the device's e2 moves over.
    expect(
      writes.flatMap((write) => (write.op === 'recordConversion' ? [write.conversion] : [])),
    ).toEqual([
      { profileId: 'known', experienceId: 'e1', goal: 'Signed up', at: 1_000 },
      { profileId: 'known', experienceId: 'e2', goal: 'Signed up', at: 1_000 },
    ])
  })
})

describe('planCall with the visitor asked for (a browser answer)', () => {
  const withVisitor = (ingest: IngestEvent): IngestCall => ({
    ...callOf(ingest),
    withVisitor: true,
  })

  it('reads impressions, and answers with the profile as written and the impressions it ends up with', () => {
    const snapshot = mergingSnapshot()
    const call = withVisitor(event({ type: 'page', anonymousId: 'a1', userId: 'u1' }))
    const request = callRequestOf(call)
    expect(request.impressions).toBe(true)
    const { writes, result } = writesOf(planCall(snapshot, request, call))
    const written = writes.find((write) => write.op === 'putProfile')
    expect(result.visitor?.profile).toEqual(written?.op === 'putProfile' && written.profile)
    expect(result.visitor?.profile?.visitor.pageViews).toBe(1)
    // The known user's bucket in e1 stands; the device's e2 moves over.
    expect(
      result.visitor?.impressions.map((i) => [i.profileId, i.experienceId, i.variation]),
    ).toEqual([
      ['known', 'e1', 'A'],
      ['known', 'e2', 'A'],
    ])
    expect(result.visitor?.account).toBeUndefined()
  })

  it('carries the account the call wrote, and none it did not read', () => {
    const company = { id: 'acme', name: 'Acme' }
    const created = writesOf(
      planCall(
        emptySnapshot(),
        callRequestOf(withVisitor(event({ userId: 'u1', company }))),
        withVisitor(event({ userId: 'u1', company })),
      ),
    ).result
    expect(created.visitor?.account?.id).toBe(created.visitor?.profile?.account?.id)
    expect(created.visitor?.account?.traits).toBeDefined()
    // A later page view reads no account: the profile names one the result does not carry.
    const known = created.visitor?.profile as Profile
    const page = withVisitor(event({ type: 'page', userId: 'u1' }))
    const later = writesOf(
      planCall(
        { ...emptySnapshot(), users: [{ userId: 'u1', profileId: known.id }], profiles: [known] },
        callRequestOf(page),
        page,
      ),
    ).result
    expect(later.visitor?.profile?.account?.id).toBe(known.account?.id)
    expect(later.visitor?.account).toBeUndefined()
  })

  it('carries no visitor unless asked', () => {
    const { result } = writesOf(plan(emptySnapshot(), event({ userId: 'u1' })).planned)
    expect(result).not.toHaveProperty('visitor')
    expect(callRequestOf(callOf(event({ userId: 'u1' }))).impressions).toBe(false)
  })
})

/** Snapshots of a small world: up to four profiles, some known, with devices pointing at them. */
const world = fc
  .record({
    profiles: fc.array(
      fc.record({
        user: fc.option(fc.constantFrom('u1', 'u2', 'u3'), { nil: null }),
        email: fc.option(fc.constantFrom('ann@acme.com', 'bob@gmail.com', 'cy@beta.io')),
        at: fc.integer({ min: 0, max: 2_000 }),
      }),
      { maxLength: 4 },
    ),
    devices: fc.array(fc.tuple(fc.constantFrom('a1', 'a2', 'a3'), fc.nat(3)), { maxLength: 3 }),
    messageSeen: fc.boolean(),
  })
  .map(({ profiles, devices, messageSeen }): CallSnapshot => {
    const users = new Set<string>()
    const built: Profile[] = profiles.map((spec, index) => {
      // A user id belongs to at most one profile.
      const userId = spec.user !== null && !users.has(spec.user) ? spec.user : null
      if (userId !== null) users.add(userId)
      return {
        ...newProfile(`p${index}`, userId, spec.at),
        traits: spec.email === null ? {} : traitsToTree({ email: spec.email }, spec.at),
      }
    })
    const linked = new Map<string, string>()
    for (const [device, index] of devices) {
      const profile = built[index % Math.max(1, built.length)]
      if (profile !== undefined) linked.set(device, profile.id)
    }
    return {
      ...emptySnapshot(),
      messageSeen,
      devices: [...linked].map(([anonymousId, profileId]) => ({ anonymousId, profileId })),
      users: built.flatMap((profile) =>
        profile.userId === null ? [] : [{ userId: profile.userId, profileId: profile.id }],
      ),
      profiles: built,
    }
  })

const call = fc
  .record({
    type: fc.constantFrom('identify', 'track', 'page', 'alias' as const),
    channel: fc.constantFrom('browser', 'server' as const),
    anonymousId: fc.option(fc.constantFrom('a1', 'a2', 'a3', 'a4'), { nil: undefined }),
    userId: fc.option(fc.constantFrom('u1', 'u2', 'u3', 'u4'), { nil: undefined }),
    email: fc.option(fc.constantFrom('dan@acme.com', 'eve@beta.io'), { nil: undefined }),
    company: fc.option(fc.constantFrom('c1', 'c2'), { nil: undefined }),
  })
  .filter((fields) => fields.anonymousId !== undefined || fields.userId !== undefined)
  .map((fields) =>
    event({
      type: fields.type,
      channel: fields.channel,
      anonymousId: fields.anonymousId,
      userId: fields.userId,
      ...(fields.type === 'alias' && fields.anonymousId !== undefined
        ? { previousId: fields.anonymousId }
        : {}),
      ...(fields.type === 'track' ? { event: 'Clicked' } : {}),
      traits: fields.email === undefined ? {} : { email: fields.email },
      company: fields.company === undefined ? undefined : { id: fields.company },
    }),
  )

/** Plans like an engine does: reads the keys the plan asks for (none found) and plans again. */
function planFully(snapshot: CallSnapshot, ingest: IngestEvent) {
  const call = callOf(ingest)
  let request = callRequestOf(call)
  for (let read = 0; read < 3; read += 1) {
    const planned = planCall(snapshot, request, call)
    if (planned.kind === 'write') return planned
    expect(planned.accountKeys.every((key) => !request.accountKeys.includes(key))).toBe(true)
    request = { ...request, accountKeys: [...request.accountKeys, ...planned.accountKeys] }
  }
  throw new Error('the plan kept asking for more keys')
}

describe('planCall (properties)', () => {
  it('is deterministic, never changes its snapshot, and asks for each missing key once', () => {
    fc.assert(
      fc.property(world, call, (snapshot, ingest) => {
        const before = structuredClone(snapshot)
        const first = planFully(snapshot, ingest)
        expect(snapshot).toEqual(before)
        expect(planFully(snapshot, ingest)).toEqual(first)
      }),
    )
  })

  it('writes one profile, the answered one, and links devices only to it', () => {
    fc.assert(
      fc.property(world, call, (snapshot, ingest) => {
        const { writes, result } = planFully(snapshot, ingest)
        if (snapshot.messageSeen) {
          expect(writes).toEqual([])
          return
        }
        expect(writes[0]?.op).toBe('claimMessage')
        const profiles = writes.flatMap((write) =>
          write.op === 'putProfile' ? [write.profile] : [],
        )
        expect(profiles.map((profile) => profile.id)).toEqual([result.profileId])
        for (const write of writes) {
          if (write.op === 'linkAnonymousId') expect(write.profileId).toBe(result.profileId)
        }
      }),
    )
  })

  it('never deletes or merges away a known user: two known users are never merged', () => {
    fc.assert(
      fc.property(world, call, (snapshot, ingest) => {
        const known = new Set(
          snapshot.profiles
            .filter((profile) => profile.userId !== null)
            .map((profile) => profile.id),
        )
        for (const write of planFully(snapshot, ingest).writes) {
          if (write.op === 'deleteProfile') expect(known.has(write.id)).toBe(false)
          if (write.op === 'moveProfileData') expect(known.has(write.fromProfileId)).toBe(false)
        }
      }),
    )
  })
})
