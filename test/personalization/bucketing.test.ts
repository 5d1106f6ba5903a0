import { describe, expect, it } from 'vitest'
import { bucketPoint, pickBucket } from '../../server/src/personalization/bucketing.ts'

describe('bucketing', () => {
  it('gives a profile the same point every time', () => {
    expect(bucketPoint('profile-1', 'exp')).toBe(bucketPoint('profile-1', 'exp'))
  })

  it('gives a profile independent points in different experiences', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `p${i}`)
    const same = ids.filter(
      (id) => bucketPoint(id, 'a') < 0.5 === bucketPoint(id, 'b') < 0.5,
    ).length
    expect(same / ids.length).toBeGreaterThan(0.45)
    expect(same / ids.length).toBeLessThan(0.55)
  })

  it('splits 100k profiles by holdout and weights within one percentage point', () => {
    const variations = [
      { id: 'a', weight: 1 },
      { id: 'b', weight: 2 },
      { id: 'c', weight: 1 },
    ]
    const counts = new Map<string, number>()
    const total = 100_000
    for (let i = 0; i < total; i += 1) {
      const bucket = pickBucket(bucketPoint(`visitor-${i}`, 'pricing-test'), 0.2, variations)
      const key = bucket.control ? 'control' : bucket.variation
      counts.set(key, (counts.get(key) ?? 0) + 1)
    }
    // holdout 20 %, then a:b:c = 1:2:1 of the remaining 80 %
    const expected = { control: 0.2, a: 0.2, b: 0.4, c: 0.2 }
    for (const [key, share] of Object.entries(expected)) {
      expect(Math.abs((counts.get(key) ?? 0) / total - share)).toBeLessThan(0.01)
    }
  })

  it('maps points to arms by holdout, then by cumulative weight', () => {
    const variations = [
      { id: 'a', weight: 1 },
      { id: 'b', weight: 3 },
    ]
    expect(pickBucket(0.09, 0.1, variations)).toEqual({ control: true })
    expect(pickBucket(0.1, 0.1, variations)).toEqual({ control: false, variation: 'a' })
    expect(pickBucket(0.32, 0.1, variations)).toEqual({ control: false, variation: 'a' })
    expect(pickBucket(0.33, 0.1, variations)).toEqual({ control: false, variation: 'b' })
    expect(pickBucket(0.999999, 0.1, variations)).toEqual({ control: false, variation: 'b' })
  })

  it('never picks a variation of weight 0', () => {
    const variations = [
      { id: 'off', weight: 0 },
      { id: 'on', weight: 1 },
    ]
    for (const point of [0, 0.25, 0.5, 0.999]) {
      expect(pickBucket(point, 0, variations)).toEqual({ control: false, variation: 'on' })
    }
  })
})
