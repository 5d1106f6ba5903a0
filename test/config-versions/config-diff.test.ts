import { describe, expect, it } from 'vitest'
import {
  diffConfigs,
  sameJson,
  summarizeDiff,
} from '../../server/src/config-versions/config-diff.ts'
import { parsePersonalizationConfig } from '../../server/src/personalization/load-config.ts'

const base = `
segments:
  - { id: vip, rule: { attribute: user.plan, operator: equal, value: vip } }
  - { id: big, description: Big ones, rule: { attribute: company.employeeCount, operator: gte, value: 1000 } }
experiences:
  - id: hero
    segments: [vip]
    holdout: 0.1
    variations:
      - { id: a, content: { title: A, sub: Sub } }
      - { id: b, content: { title: B } }
  - id: side
    variations:
      - { id: only, content: { side: S } }
`

const parse = (yaml: string) => parsePersonalizationConfig(yaml, 'inline.yaml')

describe('diffConfigs', () => {
  it('finds no change between a config and itself, whatever the order of keys', () => {
    const diff = diffConfigs(parse(base), parse(base))
    expect(diff.unchanged).toBe(true)
    expect(summarizeDiff(diff)).toBe('no change')
    expect(sameJson({ a: 1, b: [1, { c: 2, d: 3 }] }, { b: [1, { d: 3, c: 2 }], a: 1 })).toBe(true)
    expect(sameJson([1, 2], [2, 1])).toBe(false)
  })

  it('lists everything as added for a first version', () => {
    const diff = diffConfigs(undefined, parse(base))
    expect(diff.segments.added).toEqual(['vip', 'big'])
    expect(diff.experiences.added).toEqual(['hero', 'side'])
    expect(diff.unchanged).toBe(false)
  })

  it('names added, removed and changed segments and experiences, and the fields that changed', () => {
    const after = parse(
      base
        .replace('value: vip', 'value: platinum')
        .replace('description: Big ones, ', '')
        .replace('holdout: 0.1', 'holdout: 0.2\n    status: paused')
        .replace(
          '  - id: side\n    variations:\n      - { id: only, content: { side: S } }\n',
          '',
        ) + `  - id: new-one\n    variations:\n      - { id: v, content: { x: X } }\n`,
    )
    const diff = diffConfigs(parse(base), after)
    expect(diff.segments).toEqual({
      added: [],
      removed: [],
      changed: [
        { id: 'vip', fields: ['rule'] },
        { id: 'big', fields: ['description'] },
      ],
      reordered: false,
    })
    expect(diff.experiences).toEqual({
      added: ['new-one'],
      removed: ['side'],
      changed: [{ id: 'hero', fields: ['holdout', 'status'] }],
      reordered: false,
    })
    expect(summarizeDiff(diff)).toBe(
      'segment vip changed (rule); segment big changed (description); experience new-one added; experience side removed; experience hero changed (holdout, status)',
    )
  })

  it('names the variations and slots that changed inside an experience', () => {
    const after = parse(
      base
        .replace(
          '{ id: a, content: { title: A, sub: Sub } }',
          '{ id: a, weight: 3, paused: true, content: { title: A2, extra: E } }',
        )
        .replace(
          '      - { id: b, content: { title: B } }\n',
          '      - { id: c, content: { title: C } }\n',
        ),
    )
    const hero = diffConfigs(parse(base), after).experiences.changed[0]
    expect(hero).toEqual({
      id: 'hero',
      fields: ['variations'],
      variations: {
        added: ['c'],
        removed: ['b'],
        changed: [
          {
            id: 'a',
            fields: ['weight', 'paused', 'content.extra', 'content.sub', 'content.title'],
          },
        ],
        reordered: false,
      },
    })
  })

  it('notices a new order (it breaks ties of priority) and a changed attribution window', () => {
    const swapped = parse(`
attributionWindowDays: 14
segments:
  - { id: big, description: Big ones, rule: { attribute: company.employeeCount, operator: gte, value: 1000 } }
  - { id: vip, rule: { attribute: user.plan, operator: equal, value: vip } }
experiences: []
`)
    const diff = diffConfigs(parse(base), swapped)
    expect(diff.settings).toEqual(['attributionWindowDays'])
    expect(diff.segments.reordered).toBe(true)
    expect(diff.segments.changed).toEqual([])
    expect(summarizeDiff(diff)).toContain('segments reordered')
  })
})
