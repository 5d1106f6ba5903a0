import { describe, expect, it } from 'vitest'
import type { Impression } from '../../server/src/measurement/exposure.ts'
import { bucketPoint } from '../../server/src/personalization/bucketing.ts'
import { compileConfig } from '../../server/src/personalization/compile-config.ts'
import { PersonalizationEngine } from '../../server/src/personalization/engine.ts'
import { evaluate } from '../../server/src/personalization/evaluate.ts'
import {
  parsePersonalizationConfig,
  PersonalizationConfigError,
} from '../../server/src/personalization/load-config.ts'
import { Personalizer } from '../../server/src/personalization/personalizer.ts'
import { goalConversions } from '../../server/src/measurement/goal-conversions.ts'
import { evalContext } from '../helpers/eval-context.ts'

/** Two experiences on the same slot: `top` (priority 10, the status under test) over `fallback`. */
function withTop(top: string) {
  return compileConfig(
    parsePersonalizationConfig(
      `
experiences:
  - id: top
    priority: 10
    holdout: 0.5
    goals: [Signed Up]
${top}
  - id: fallback
    goals: [Signed Up]
    variations:
      - { id: plain, content: { hero: Plain } }
`,
      'inline.yaml',
    ),
  )
}

const twoArms = `    variations:
      - { id: a, content: { hero: A } }
      - { id: b, content: { hero: B } }`

/** Profile ids whose bucket point in `top` is at least 0.5 (outside the holdout). */
function profilesOutsideHoldout(count: number): string[] {
  const ids: string[] = []
  for (let n = 0; ids.length < count; n++) {
    if (bucketPoint(`p${n}`, 'top') >= 0.5) ids.push(`p${n}`)
  }
  return ids
}

const ctx = evalContext()

describe('experience status', () => {
  it('reads an experience without a status as running', () => {
    const config = withTop(twoArms)
    expect(config.experiencesById.get('top')?.status).toBe('running')
    expect(evaluate(config, ctx, 'p1').experiences.map((e) => e.id)).toEqual(['top'])
    expect(evaluate(config, ctx, 'p1').measured).toEqual(['top'])
  })

  it.each(['draft', 'paused'])(
    'never serves a %s experience and leaves its slots to the next one',
    (status) => {
      const config = withTop(`    status: ${status}\n${twoArms}`)
      const decision = evaluate(config, ctx, 'p1', new Map([['top', 'a']]))
      expect(decision.experiences.map((e) => e.id)).toEqual(['fallback'])
      expect(decision.measured).toEqual(['fallback'])
    },
  )

  it('serves a concluded experience’s winner to everyone, holdout and recorded buckets included, unmeasured', () => {
    const config = withTop(`    status: concluded\n    winner: b\n${twoArms}`)
    for (let n = 0; n < 40; n++) {
      const decision = evaluate(config, ctx, `p${n}`, new Map([['top', n % 2 ? 'a' : 'control']]))
      expect(decision.experiences).toEqual([
        { id: 'top', variation: 'b', control: false, content: { hero: 'B' } },
      ])
      expect(decision.measured).toEqual([])
    }
  })

  it('serves the page default to everyone when the control won', () => {
    const config = withTop(`    status: concluded\n    winner: control\n${twoArms}`)
    expect(evaluate(config, ctx, 'p1').experiences).toEqual([
      { id: 'top', variation: 'control', control: true, content: {} },
    ])
  })

  it('shows the control’s content to visitors already in a paused variation, and buckets new visitors among the others', () => {
    const config = withTop(`    variations:
      - { id: a, paused: true, content: { hero: A } }
      - { id: b, content: { hero: B } }`)
    expect(evaluate(config, ctx, 'p1', new Map([['top', 'a']])).experiences).toEqual([
      { id: 'top', variation: 'control', control: true, content: {} },
    ])
    const fresh = profilesOutsideHoldout(50).map(
      (id) => evaluate(config, ctx, id).experiences[0]?.variation,
    )
    expect(new Set(fresh)).toEqual(new Set(['b']))
  })

  it('keeps every recorded bucket when the weights and holdout change', () => {
    const before = withTop(`    variations:
      - { id: a, weight: 1, content: { hero: A } }
      - { id: b, weight: 1, content: { hero: B } }`)
    const after = compileConfig(
      parsePersonalizationConfig(
        `
experiences:
  - id: top
    holdout: 0.1
    variations:
      - { id: a, weight: 9, content: { hero: A } }
      - { id: b, weight: 1, content: { hero: B } }
`,
        'inline.yaml',
      ),
    )
    let moved = 0
    for (let n = 0; n < 200; n++) {
      const first = evaluate(before, ctx, `p${n}`).experiences[0]?.variation ?? ''
      const recorded = new Map([['top', first]])
      expect(evaluate(after, ctx, `p${n}`, recorded).experiences[0]?.variation).toBe(first)
      if (evaluate(after, ctx, `p${n}`).experiences[0]?.variation !== first) moved += 1
    }
    // Without a recorded bucket the new split does move visitors: the record is what holds them.
    expect(moved).toBeGreaterThan(0)
  })
})

describe('experience status in the config file', () => {
  function issuesOf(top: string): string[] {
    try {
      withTop(top)
    } catch (error) {
      if (error instanceof PersonalizationConfigError) return error.issues
      throw error
    }
    throw new Error('expected the config to be rejected')
  }

  it('refuses an unknown status, naming its path', () => {
    expect(issuesOf(`    status: live\n${twoArms}`)).toEqual([
      'experiences[0].status: expected one of draft, running, paused, concluded',
    ])
  })

  it('refuses a concluded experience without a winner, or with one it does not have', () => {
    expect(issuesOf(`    status: concluded\n${twoArms}`)).toEqual([
      'experiences[0].winner: a concluded experience needs a winner: one of control, a, b',
    ])
    expect(issuesOf(`    status: concluded\n    winner: c\n${twoArms}`)).toEqual([
      'experiences[0].winner: no variation has the id "c": expected one of control, a, b',
    ])
  })

  it('refuses a winner or a conclusion time on an experience that is not concluded', () => {
    expect(issuesOf(`    winner: a\n    concludedAt: '2026-06-01T12:00:00Z'\n${twoArms}`)).toEqual([
      'experiences[0].winner: only a concluded experience has a winner',
      'experiences[0].concludedAt: only a concluded experience has a conclusion time',
    ])
  })

  it('refuses a conclusion time that is not an ISO date and time', () => {
    expect(
      issuesOf(`    status: concluded\n    winner: a\n    concludedAt: yesterday\n${twoArms}`),
    ).toEqual([
      'experiences[0].concludedAt: expected an ISO 8601 date and time such as 2026-06-01T12:00:00Z',
    ])
  })

  it('refuses a running experience whose every variation is paused', () => {
    expect(
      issuesOf(`    variations:
      - { id: a, paused: true, content: { hero: A } }`),
    ).toEqual([
      'experiences[0].variations: a running experience needs a variation that is not paused and has a weight above 0 (pause the experience instead)',
    ])
    // Paused as a whole, it may keep every variation paused.
    expect(
      withTop(`    status: paused
    variations:
      - { id: a, paused: true, content: { hero: A } }`).experiencesById.get('top')?.status,
    ).toBe('paused')
  })

  it('refuses slot names that would reach an object prototype', () => {
    expect(
      issuesOf(`    variations:
      - { id: a, content: { constructor: A } }`),
    ).toEqual(['experiences[0].variations[0].content.constructor: this slot name is reserved'])
  })
})

describe('counting under statuses', () => {
  const impression = (experienceId: string, variation: string): Impression => ({
    profileId: 'p1',
    experienceId,
    variation,
    control: variation === 'control',
    at: 1_000,
  })

  /** What the pipeline counts when a track event of this name reaches `p`'s goal. */
  const conversionsOf = (
    p: Personalizer,
    impressions: Impression[],
    profileId: string,
    name: string,
    at: number,
  ) => {
    const goal = p.goal(name)
    return goal === undefined ? [] : goalConversions(impressions, profileId, goal, at)
  }

  function personalizer(top: string) {
    return new Personalizer(
      new PersonalizationEngine(
        parsePersonalizationConfig(
          `
experiences:
  - id: top
    goals: [Signed Up]
${top}
`,
          'inline.yaml',
        ),
      ),
      () => 2_000,
    )
  }

  it('counts a goal for a running experience only', () => {
    expect(
      conversionsOf(personalizer(twoArms), [impression('top', 'a')], 'p1', 'Signed Up', 2_000),
    ).toHaveLength(1)
    for (const status of ['paused', 'draft']) {
      expect(
        conversionsOf(
          personalizer(`    status: ${status}\n${twoArms}`),
          [impression('top', 'a')],
          'p1',
          'Signed Up',
          2_000,
        ),
      ).toEqual([])
    }
    expect(
      conversionsOf(
        personalizer(`    status: concluded\n    winner: a\n${twoArms}`),
        [impression('top', 'a')],
        'p1',
        'Signed Up',
        2_000,
      ),
    ).toEqual([])
  })

  it('does not count the conversions of a paused variation’s visitors', () => {
    const p = personalizer(`    variations:
      - { id: a, paused: true, content: { hero: A } }
      - { id: b, content: { hero: B } }`)
    expect(conversionsOf(p, [impression('top', 'a')], 'p1', 'Signed Up', 2_000)).toEqual([])
    expect(conversionsOf(p, [impression('top', 'b')], 'p1', 'Signed Up', 2_000)).toHaveLength(1)
  })

  it('still treats a paused experience’s goal as a goal (visitor.conversions), but not a draft’s', () => {
    expect(personalizer(`    status: paused\n${twoArms}`).goal('Signed Up')).toBeDefined()
    expect(personalizer(`    status: draft\n${twoArms}`).goal('Signed Up')).toBeUndefined()
  })
})
