import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Json, JsonObject } from '../../../server/src/traits/json.ts'
import {
  capNewPaths,
  countWrites,
  materializeTraits,
  mergeTraitTrees,
  traitsToTree,
  type TraitNode,
} from '../../../server/src/traits/trait-tree.ts'

/** Applies events one after another, as the pipeline does. */
function apply(events: readonly { traits: JsonObject; at: number }[]): TraitNode {
  return events.reduce<TraitNode>(
    (tree, event) => mergeTraitTrees(tree, traitsToTree(event.traits, event.at)),
    {},
  )
}

const key = fc.constantFrom('a', 'b', 'c', 'email', 'plan', '__proto__', 'constructor', 'prototype')
const leaf: fc.Arbitrary<Json> = fc.oneof(
  fc.string({ maxLength: 4 }),
  fc.integer({ min: -5, max: 5 }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 2 }),
)
const traits: fc.Arbitrary<JsonObject> = fc.letrec<{ obj: JsonObject; value: Json }>((tie) => ({
  obj: fc.dictionary(key, tie('value'), {
    maxKeys: 3,
    noNullPrototype: true,
  }),
  value: fc.oneof({ depthSize: 'small', maxDepth: 3 }, leaf, tie('obj')),
})).obj
const event = fc.record({ traits, at: fc.integer({ min: 0, max: 20 }) })

function hasForbiddenKey(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false
  return Object.keys(value).some(
    (k) =>
      k === '__proto__' ||
      k === 'constructor' ||
      k === 'prototype' ||
      hasForbiddenKey((value as Record<string, unknown>)[k]),
  )
}

describe('trait tree merge', () => {
  it('keeps the later write of a trait, whatever order the events arrive in', () => {
    const late = { traits: { plan: 'premium' }, at: 2 }
    const early = { traits: { plan: 'free' }, at: 1 }
    expect(materializeTraits(apply([early, late]))).toEqual({ plan: 'premium' })
    expect(materializeTraits(apply([late, early]))).toEqual({ plan: 'premium' })
  })

  it('removes a trait written as null, and an older value arriving later does not bring it back', () => {
    const set = { traits: { title: 'CEO', name: 'Marc' }, at: 1 }
    const remove = { traits: { title: null }, at: 2 }
    expect(materializeTraits(apply([set, remove]))).toEqual({ name: 'Marc' })
    expect(materializeTraits(apply([remove, set]))).toEqual({ name: 'Marc' })
  })

  it('merges nested objects leaf by leaf instead of replacing them', () => {
    const tree = apply([
      { traits: { company: { name: 'AirBnb', plan: 'free' } }, at: 1 },
      { traits: { company: { plan: 'premium' } }, at: 2 },
    ])
    expect(materializeTraits(tree)).toEqual({ company: { name: 'AirBnb', plan: 'premium' } })
  })

  it('lets a later scalar replace a whole object, and a later leaf under it start a new object', () => {
    const tree = apply([
      { traits: { address: { city: 'Paris', zip: '75001' } }, at: 1 },
      { traits: { address: 'unknown' }, at: 2 },
      { traits: { address: { city: 'Lyon' } }, at: 3 },
    ])
    expect(materializeTraits(tree)).toEqual({ address: { city: 'Lyon' } })
  })

  it('keeps arrays whole, as single values', () => {
    const tree = apply([
      { traits: { tags: ['a', 'b'] }, at: 1 },
      { traits: { tags: ['c'] }, at: 2 },
    ])
    expect(materializeTraits(tree)).toEqual({ tags: ['c'] })
  })

  it('breaks a tie between two writes at the same time the same way on every side', () => {
    const a = traitsToTree({ plan: 'free' }, 5)
    const b = traitsToTree({ plan: 'pro' }, 5)
    expect(materializeTraits(mergeTraitTrees(a, b))).toEqual(
      materializeTraits(mergeTraitTrees(b, a)),
    )
  })

  it('is idempotent: merging a tree with itself changes nothing', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 6 }), (events) => {
        const tree = apply(events)
        expect(materializeTraits(mergeTraitTrees(tree, tree))).toEqual(materializeTraits(tree))
        expect(mergeTraitTrees(tree, tree)).toEqual(tree)
      }),
    )
  })

  it('is commutative and associative, so profiles merge the same in any order', () => {
    fc.assert(
      fc.property(event, event, event, (x, y, z) => {
        const [a, b, c] = [x, y, z].map((e) => traitsToTree(e.traits, e.at)) as [
          TraitNode,
          TraitNode,
          TraitNode,
        ]
        expect(materializeTraits(mergeTraitTrees(a, b))).toEqual(
          materializeTraits(mergeTraitTrees(b, a)),
        )
        expect(materializeTraits(mergeTraitTrees(mergeTraitTrees(a, b), c))).toEqual(
          materializeTraits(mergeTraitTrees(a, mergeTraitTrees(b, c))),
        )
      }),
    )
  })

  it('gives the same traits for any arrival order of the same events', () => {
    fc.assert(
      fc.property(
        fc
          .array(event, { maxLength: 7 })
          .chain((events) =>
            fc.tuple(
              fc.constant(events),
              fc.shuffledSubarray(events, { minLength: events.length }),
            ),
          ),
        ([events, shuffled]) => {
          expect(materializeTraits(apply(shuffled))).toEqual(materializeTraits(apply(events)))
        },
      ),
    )
  })

  it('never loses a trait that no other event touched', () => {
    fc.assert(
      fc.property(
        fc.array(event, { maxLength: 5 }),
        fc.string({ minLength: 1, maxLength: 6 }),
        fc.integer(),
        (events, value, at) => {
          const untouched = { traits: { zz_untouched: { only: value } }, at }
          expect(materializeTraits(apply([...events, untouched])).zz_untouched).toEqual({
            only: value,
          })
          expect(materializeTraits(apply([untouched, ...events])).zz_untouched).toEqual({
            only: value,
          })
        },
      ),
    )
  })

  it('never writes __proto__, constructor or prototype, and leaves Object.prototype alone', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 6 }), (events) => {
        const withPoison = [
          ...events,
          {
            traits: JSON.parse(
              '{"__proto__":{"polluted":1},"a":{"constructor":{"prototype":{"x":1}}}}',
            ) as JsonObject,
            at: 3,
          },
        ]
        const tree = apply(withPoison)
        const traitsOut = materializeTraits(tree)
        expect(hasForbiddenKey(tree)).toBe(false)
        expect(hasForbiddenKey(traitsOut)).toBe(false)
        expect(Object.getPrototypeOf(traitsOut)).toBe(Object.prototype)
        expect(({} as Record<string, unknown>).polluted).toBeUndefined()
      }),
    )
  })

  it('drops writes hidden under a later ancestor without changing what is seen', () => {
    const tree = apply([
      { traits: { a: { b: 1, c: 2 } }, at: 1 },
      { traits: { a: 'flat' }, at: 2 },
    ])
    expect(tree).toEqual({ k: { a: { t: 2, v: 'flat' } } })
  })
})

describe('capNewPaths', () => {
  it('lets updates of stored traits through and new traits only while there is room', () => {
    const stored = traitsToTree({ a: 1, b: 2 }, 1)
    const { tree, dropped } = capNewPaths(stored, traitsToTree({ a: 9, c: 3, d: { e: 4 } }, 2), 3)
    expect(dropped).toBe(1)
    expect(materializeTraits(mergeTraitTrees(stored, tree))).toEqual({ a: 9, b: 2, c: 3 })
    expect(countWrites(mergeTraitTrees(stored, tree))).toBe(3)
  })
})
