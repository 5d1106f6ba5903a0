import { describe, expect, it } from 'vitest'
import { bucketPoint } from '../../server/src/personalization/bucketing.ts'
import { compileConfig } from '../../server/src/personalization/compile-config.ts'
import { evaluate } from '../../server/src/personalization/evaluate.ts'
import { parsePersonalizationConfig } from '../../server/src/personalization/load-config.ts'
import { evalContext } from '../helpers/eval-context.ts'

const config = compileConfig(
  parsePersonalizationConfig(
    `
segments:
  - { id: enterprise, rule: { attribute: company.employeeCount, operator: gte, value: 1000 } }
  - { id: mobile, rule: { attribute: device.type, operator: equal, value: mobile } }
experiences:
  - id: low
    priority: 1
    variations:
      - { id: generic, content: { hero: Welcome, footer: Bye } }
  - id: high
    segments: [enterprise]
    pages: ['/pricing*']
    priority: 10
    variations:
      - { id: named, content: { hero: 'Built for {{company.name}}', sub: '{{company.name | "You"}} scale' } }
  - id: side
    segments: [mobile]
    variations:
      - { id: small, content: { sidebar: Tap here } }
`,
    'inline.yaml',
  ),
)

const enterprise = evalContext({
  company: { employeeCount: 5000 },
  page: { path: '/pricing/teams', query: {}, utm: {} },
})

describe('evaluate', () => {
  it('lists every segment the visitor is in', () => {
    const mobile = { ...enterprise, device: { type: 'mobile' as const } }
    expect(evaluate(config, mobile, 'p1').segments).toEqual(['enterprise', 'mobile'])
  })

  it('gives a slot to the higher priority experience and skips the one it overlaps', () => {
    const decision = evaluate(config, enterprise, 'p1')
    expect(decision.experiences.map((experience) => experience.id)).toEqual(['high'])
  })

  it('falls back to the lower priority experience off its pages or outside its segments', () => {
    const blog = { ...enterprise, page: { path: '/blog', query: {}, utm: {} } }
    expect(evaluate(config, blog, 'p1').experiences.map((experience) => experience.id)).toEqual([
      'low',
    ])
    expect(evaluate(config, evalContext(), 'p1').experiences.map((e) => e.id)).toEqual(['low'])
  })

  it('shows experiences on distinct slots side by side', () => {
    const mobile = { ...evalContext(), device: { type: 'mobile' as const } }
    expect(evaluate(config, mobile, 'p1').experiences.map((e) => e.id)).toEqual(['low', 'side'])
  })

  it('leaves out a slot whose attribute is missing and keeps the others', () => {
    const [high] = evaluate(config, enterprise, 'p1').experiences
    expect(high).toEqual({
      id: 'high',
      variation: 'named',
      control: false,
      content: { sub: 'You scale' },
    })
  })

  it('renders the slot when the attribute is there', () => {
    const named = { ...enterprise, company: { employeeCount: 5000, name: 'Acme' } }
    expect(evaluate(config, named, 'p1').experiences[0]?.content).toEqual({
      hero: 'Built for Acme',
      sub: 'Acme scale',
    })
  })

  it('puts the holdout share in control, with no content, still holding its slots', () => {
    const held = compileConfig(
      parsePersonalizationConfig(
        `
experiences:
  - id: top
    holdout: 0.5
    priority: 2
    variations: [{ id: v, content: { hero: Top } }]
  - id: under
    variations: [{ id: w, content: { hero: Under } }]
`,
        'inline.yaml',
      ),
    )
    const inControl = Array.from({ length: 50 }, (_, i) => `p${i}`).find(
      (id) => bucketPoint(id, 'top') < 0.5,
    )
    expect(inControl).toBeDefined()
    expect(evaluate(held, evalContext(), inControl ?? '').experiences).toEqual([
      { id: 'top', variation: 'control', control: true, content: {} },
    ])
  })

  it('keeps the variation a profile was first shown while it is still configured', () => {
    const two = compileConfig(
      parsePersonalizationConfig(
        `
experiences:
  - id: e
    variations: [{ id: a, content: { s: A } }, { id: b, content: { s: B } }]
`,
        'inline.yaml',
      ),
    )
    const natural = evaluate(two, evalContext(), 'p9').experiences[0]?.variation
    const other = natural === 'a' ? 'b' : 'a'
    const sticky = evaluate(two, evalContext(), 'p9', new Map([['e', other]]))
    expect(sticky.experiences[0]?.variation).toBe(other)
    const gone = evaluate(two, evalContext(), 'p9', new Map([['e', 'removed']]))
    expect(gone.experiences[0]?.variation).toBe(natural)
  })
})
