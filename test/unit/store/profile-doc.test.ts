import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { newProfile } from '../../../server/src/profile/profile.ts'
import { decodeProfileDoc, encodeProfileDoc } from '../../../server/src/store/profile-doc.ts'
import type { Json, JsonObject } from '../../../server/src/traits/json.ts'
import { mergeTraitTrees, traitsToTree } from '../../../server/src/traits/trait-tree.ts'

const key = fc.constantFrom('a', 'b', 'email', 'plan', '__proto__', 'constructor')
const leaf: fc.Arbitrary<Json> = fc.oneof(
  fc.string({ maxLength: 4 }),
  fc.integer({ min: -5, max: 5 }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constant(null)), { maxLength: 2 }),
)
const traits: fc.Arbitrary<JsonObject> = fc.letrec<{ obj: JsonObject; value: Json }>((tie) => ({
  obj: fc.dictionary(key, tie('value'), { maxKeys: 3, noNullPrototype: true }),
  value: fc.oneof({ depthSize: 'small', maxDepth: 3 }, leaf, tie('obj')),
})).obj
const writes = fc.array(
  fc.record({ traits, at: fc.integer({ min: 1_700_000_000_000, max: 1_700_000_000_100 }) }),
  { maxLength: 4 },
)

describe('profile document', () => {
  it('reads back exactly what it stored, for any trait tree merged from writes', () => {
    fc.assert(
      fc.property(writes, (calls) => {
        const tree = calls.reduce(
          (current, call) => mergeTraitTrees(current, traitsToTree(call.traits, call.at)),
          traitsToTree({}, 0),
        )
        const profile = {
          ...newProfile('p', 'u', 1),
          traits: tree,
          account: { id: 'a', source: 'email' as const, at: 3 },
          visitor: { ...newProfile('p', 'u', 1).visitor, lastSeenAt: 9, sessions: 2 },
        }
        const doc = decodeProfileDoc(encodeProfileDoc(profile), 'a', profile.createdAt)
        expect(doc).toEqual({
          account: profile.account,
          traits: profile.traits,
          visitor: profile.visitor,
        })
        expect(Object.getPrototypeOf(doc.traits)).toBe(Object.prototype)
      }),
    )
  })

  it('stores twenty traits of one call in less than half the first format', () => {
    const profile = {
      ...newProfile('p', 'u', 1),
      traits: traitsToTree(
        Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`trait${i}`, `value ${i}`])),
        1_764_619_123_456,
      ),
    }
    const first = JSON.stringify({
      account: profile.account,
      traits: profile.traits,
      visitor: profile.visitor,
    })
    expect(encodeProfileDoc(profile).length).toBeLessThan(first.length / 2 + 100)
  })

  it('counts its times from the profile creation, so a new profile writes them as 0', () => {
    const at = 1_764_619_123_456
    const profile = {
      ...newProfile('p', 'u', at),
      traits: traitsToTree({ plan: 'pro' }, at),
      account: { id: 'a', source: 'email' as const, at },
    }
    expect(encodeProfileDoc(profile)).toBe('[2,["email",0],[0],{"plan":"pro"},[0,0,0,0]]')
  })

  it('still reads documents of version 1, with times since the epoch', () => {
    const version1 = '[1,["email",7],[5],{"plan":"pro"},[5,4,1,0]]'
    expect(decodeProfileDoc(version1, 'a', 1_000)).toEqual({
      account: { id: 'a', source: 'email', at: 7 },
      traits: traitsToTree({ plan: 'pro' }, 5),
      visitor: { firstSeenAt: 5, lastSeenAt: 9, pageViews: 1, events: 0 },
    })
  })

  it('still reads documents of the first format', () => {
    const profile = { ...newProfile('p', null, 1), traits: traitsToTree({ plan: 'pro' }, 5) }
    const first = JSON.stringify({
      account: null,
      traits: profile.traits,
      visitor: profile.visitor,
    })
    expect(decodeProfileDoc(first, null, 1)).toEqual({
      account: null,
      traits: profile.traits,
      visitor: profile.visitor,
    })
  })
})
