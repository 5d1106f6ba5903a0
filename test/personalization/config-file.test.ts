import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  parsePersonalizationConfig,
  PersonalizationConfigError,
  readPersonalizationConfig,
} from '../../server/src/personalization/load-config.ts'

function issuesOf(text: string): string[] {
  try {
    parsePersonalizationConfig(text, 'test.yaml')
  } catch (error) {
    if (error instanceof PersonalizationConfigError) return error.issues
    throw error
  }
  throw new Error('expected the config to be rejected')
}

const experience = (variations: string) => `
experiences:
  - id: e1
    variations:
      - id: v1
        content: { hero: Hello }
  - id: e2
    variations:
      - id: v1
        content: { hero: Hello }
  - id: e3
    variations:
${variations}
`

describe('personalisation config file', () => {
  it('loads the shipped demo config', () => {
    const config = readPersonalizationConfig(
      resolve(import.meta.dirname, '../../config/parley.demo.yaml'),
    )
    expect(config.segments.map((segment) => segment.id)).toContain('enterprise')
    expect(config.experiences[0]?.pages).toEqual(['/pricing*'])
  })

  it('reads JSON as well as YAML, and fills in defaults', () => {
    const config = parsePersonalizationConfig(
      JSON.stringify({
        experiences: [{ id: 'e', variations: [{ id: 'v', content: { s: 'x' } }] }],
      }),
      'c.json',
    )
    expect(config.attributionWindowDays).toBe(7)
    expect(config.experiences[0]).toMatchObject({
      priority: 0,
      holdout: 0,
      segments: [],
      pages: [],
    })
    expect(config.experiences[0]?.variations[0]?.weight).toBe(1)
  })

  it('accepts a description on segments, experiences and variations', () => {
    const config = parsePersonalizationConfig(
      `
segments:
  - { id: s, description: Anyone with a plan, rule: { attribute: user.plan, operator: exists } }
experiences:
  - id: e
    description: Hero test
    variations: [{ id: v, description: Short copy, content: { hero: Hi } }]
`,
      'described.yaml',
    )
    expect(config.experiences[0]?.variations[0]?.description).toBe('Short copy')
  })

  it('names the path of a wrong type: experiences[2].variations[0].weight', () => {
    const issues = issuesOf(experience('      - { id: v1, weight: heavy, content: { hero: Hi } }'))
    expect(issues).toEqual(['experiences[2].variations[0].weight: expected a number'])
  })

  it('names the path of a missing field', () => {
    expect(issuesOf(experience('      - { id: v1 }'))).toEqual([
      'experiences[2].variations[0].content: is required (expected a mapping)',
    ])
  })

  it('names the path inside a nested rule', () => {
    const issues = issuesOf(`
segments:
  - id: s
    rule:
      all:
        - { attribute: company.name, operator: exists }
        - any:
            - { attribute: company.employeeCount, operator: gte, value: lots }
`)
    expect(issues).toEqual([
      'segments[0].rule.all[1].any[0].value: expected a number or an ISO date',
    ])
  })

  it.each([
    [
      '{ attribute: visitor.pageview, operator: gt, value: 1 }',
      /segments\[0\]\.rule\.attribute: unknown attribute "visitor.pageview"/,
    ],
    [
      '{ attribute: company.name, operator: like, value: a }',
      /segments\[0\]\.rule\.operator: expected one of equal, not_equal/,
    ],
    [
      '{ attribute: company.name, operator: in, value: [] }',
      /segments\[0\]\.rule\.value: expected a non-empty list/,
    ],
    [
      '{ attribute: company.name, operator: equal }',
      /segments\[0\]\.rule\.value: equal needs a value/,
    ],
    [
      '{ attribute: company.name, operator: exists, value: 1 }',
      /segments\[0\]\.rule\.value: exists takes no value/,
    ],
    [
      '{ attribute: company.name, operator: matches, value: "([" }',
      /segments\[0\]\.rule\.value: not a valid regular expression/,
    ],
    ['{ every: [] }', /segments\[0\]\.rule: expected a rule/],
    ['{ all: [] }', /segments\[0\]\.rule\.all: expected a non-empty list of rules/],
    [
      '{ attribute: company.name, operator: exists, extra: 1 }',
      /segments\[0\]\.rule: unknown key "extra"/,
    ],
  ])('rejects the rule %s', (rule, message) => {
    const issues = issuesOf(`segments:\n  - id: s\n    rule: ${rule}\n`)
    expect(issues.join('\n')).toMatch(message)
  })

  it('rejects references, duplicates and bad shares with their paths', () => {
    const issues = issuesOf(`
segments:
  - { id: s, rule: { attribute: user.plan, operator: exists } }
  - { id: s, rule: { attribute: user.plan, operator: exists } }
experiences:
  - id: e
    segments: [s, nobody]
    holdout: 1.5
    variations:
      - { id: control, content: { hero: x } }
      - { id: v, weight: 0, content: { hero: "{{company.name" } }
`)
    expect(issues).toEqual(
      expect.arrayContaining([
        'segments[1].id: duplicate segment id "s"',
        'experiences[0].segments[1]: no segment has the id "nobody"',
        'experiences[0].holdout: expected a share below 1',
        'experiences[0].variations[0].id: "control" is reserved for the holdout',
        expect.stringMatching(/^experiences\[0\]\.variations\[1\]\.content\.hero: .*unmatched/),
      ]),
    )
  })

  it('reports a YAML syntax error', () => {
    expect(issuesOf('segments: [\n')[0]).toMatch(/^syntax: /)
  })

  it('reports an unreadable file', () => {
    expect(() => readPersonalizationConfig('/nonexistent/parley.yaml')).toThrow(
      /cannot read the file/,
    )
  })
})
