import { describe, expect, it } from 'vitest'
import {
  armRanges,
  bucketImpacts,
  movedShare,
} from '../../server/src/personalization/bucket-impact.ts'
import { bucketPoint, pickBucket } from '../../server/src/personalization/bucketing.ts'
import { parsePersonalizationConfig } from '../../server/src/personalization/load-config.ts'

const config = (experience: string) =>
  parsePersonalizationConfig(`experiences:\n  - id: e\n${experience}`, 'inline.yaml')

describe('armRanges', () => {
  it('lays the arms out as pickBucket does', () => {
    const weights = [
      { id: 'a', weight: 1 },
      { id: 'b', weight: 3 },
    ]
    const ranges = armRanges(0.2, weights)
    for (let n = 0; n < 500; n++) {
      const point = bucketPoint(`p${n}`, 'e')
      const bucket = pickBucket(point, 0.2, weights)
      const arm = bucket.control ? 'control' : bucket.variation
      const [start, end] = ranges.get(arm) ?? [2, 2]
      expect(point >= start && point < end).toBe(true)
    }
  })
})

describe('movedShare', () => {
  const split = (holdout: number, a: number, b: number) => ({
    holdout,
    weights: [
      { id: 'a', weight: a },
      { id: 'b', weight: b },
    ],
  })

  it('is 0 for the same split, with weights scaled', () => {
    expect(movedShare(split(0.1, 1, 1), split(0.1, 2, 2))).toBe(0)
  })

  it('is the share of bucket points that change arm', () => {
    // a: [0, .5) -> [0, .75); b: [.5, 1) -> [.75, 1): a quarter of the space moves from b to a.
    expect(movedShare(split(0, 1, 1), split(0, 3, 1))).toBeCloseTo(0.25, 10)
    // A holdout of 0.5 on 50/50: control [0,.5), a [.5,.75), b [.75,1).
    expect(movedShare(split(0, 1, 1), split(0.5, 1, 1))).toBeCloseTo(0.75, 10)
  })

  it('agrees with bucketing real profile ids', () => {
    const before = split(0.1, 1, 1)
    const after = split(0.2, 3, 1)
    let moved = 0
    const total = 20_000
    for (let n = 0; n < total; n++) {
      const point = bucketPoint(`p${n}`, 'e')
      const x = pickBucket(point, before.holdout, before.weights)
      const y = pickBucket(point, after.holdout, after.weights)
      if ((x.control ? 'control' : x.variation) !== (y.control ? 'control' : y.variation))
        moved += 1
    }
    expect(moved / total).toBeCloseTo(movedShare(before, after), 1)
  })
})

describe('bucketImpacts', () => {
  const arms = (a: string, b: string) => `    variations:
      - { id: a, ${a}content: { hero: A } }
      - { id: b, ${b}content: { hero: B } }`

  it('says nothing when the split is the same', () => {
    expect(bucketImpacts(config(arms('', '')), config(arms('', '')))).toEqual([])
  })

  it('tells that a weight change moves only visitors without a recorded bucket, and how many', () => {
    const [impact, ...rest] = bucketImpacts(config(arms('', '')), config(arms('weight: 3, ', '')))
    expect(rest).toEqual([])
    expect(impact).toMatchObject({
      experience: 'e',
      change: 'split',
      movesRecordedVisitors: false,
      newVisitorsMoved: 0.25,
    })
    expect(impact?.message).toContain('keep it')
    expect(impact?.message).toContain('25 %')
  })

  it('flags a removed variation as moving recorded visitors', () => {
    const impacts = bucketImpacts(
      config(arms('', '')),
      config(`    variations:\n      - { id: a, content: { hero: A } }`),
    )
    expect(impacts.map((i) => [i.change, i.variation, i.movesRecordedVisitors])).toEqual([
      ['variation-removed', 'b', true],
      ['split', undefined, false],
    ])
  })

  it('describes pausing and resuming a variation', () => {
    const paused = bucketImpacts(config(arms('', '')), config(arms('paused: true, ', '')))
    expect(paused.map((i) => [i.change, i.variation])).toEqual([
      ['variation-paused', 'a'],
      ['split', undefined],
    ])
    expect(paused[0]?.message).toContain("control's content")
    const resumed = bucketImpacts(config(arms('paused: true, ', '')), config(arms('', '')))
    expect(resumed.map((i) => i.change)).toEqual(['variation-resumed', 'split'])
  })

  it('describes status changes of a live experience, and none for a draft or a new one', () => {
    const running = config(arms('', ''))
    const paused = config(`    status: paused\n${arms('', '')}`)
    const concluded = config(`    status: concluded\n    winner: b\n${arms('', '')}`)
    const draft = config(`    status: draft\n${arms('', '')}`)
    expect(bucketImpacts(running, paused).map((i) => i.change)).toEqual(['paused'])
    expect(bucketImpacts(paused, running).map((i) => i.change)).toEqual(['resumed'])
    expect(bucketImpacts(running, concluded).map((i) => [i.change, i.message])).toEqual([
      ['concluded', expect.stringContaining('the variation b')],
    ])
    expect(bucketImpacts(running, draft).map((i) => i.change)).toEqual(['drafted'])
    expect(bucketImpacts(draft, config(arms('weight: 5, ', '')))).toEqual([])
    expect(bucketImpacts(parsePersonalizationConfig('experiences: []', 'x'), running)).toEqual([])
  })
})
