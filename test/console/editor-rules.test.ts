import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { attributeProblem } from '../../server/src/personalization/attributes.ts'
import { operators } from '../../server/src/personalization/rule-types.ts'
import { validatePersonalizationConfig } from '../../server/src/personalization/load-config.ts'
import {
  attributeChoice,
  attributeGroups,
  customKinds,
  inferKind,
  kindOf,
  loaderAttributes,
  operatorsByKind,
  operatorsFor,
} from '../../server/src/console/editor/attribute-kinds.ts'
import {
  adaptValue,
  parseValue,
  takesList,
  takesNoValue,
  valueText,
} from '../../server/src/console/editor/condition-values.ts'
import {
  addChild,
  addToRoot,
  newCondition,
  nodeAt,
  removeAt,
  setAt,
  setGroupMode,
  toggleNot,
  type RuleDraft,
} from '../../server/src/console/editor/rule-tree.ts'

describe('the segment builder’s attributes', () => {
  it('offers every attribute the loader knows, and only ones it accepts', () => {
    const offered = attributeGroups.flatMap((group) => group.known.map((item) => item.attribute))
    const families = attributeGroups.flatMap((group) => group.open.map((open) => open.prefix))
    const loader = loaderAttributes()
    // Every fixed attribute of the loader has a kind in the builder (a new one fails this).
    for (const attribute of loader.fixed) expect(offered).toContain(attribute)
    for (const family of loader.families) expect(families).toContain(family)
    for (const attribute of offered) expect(attributeProblem(attribute)).toBeUndefined()
    for (const family of families) expect(attributeProblem(`${family}someName`)).toBeUndefined()
  })

  it('groups them by user, company, visitor, page and device', () => {
    expect(attributeGroups.map((group) => group.root)).toEqual([
      'user',
      'company',
      'visitor',
      'page',
      'device',
    ])
  })

  it('reads an attribute as a known one, a family with its name, or unknown', () => {
    expect(attributeChoice('company.employeeCount')).toMatchObject({
      type: 'known',
      item: { kind: 'number' },
    })
    expect(attributeChoice('user.viewedPricing')).toMatchObject({
      type: 'open',
      family: { prefix: 'user.' },
      name: 'viewedPricing',
    })
    // The longest prefix wins: a UTM parameter of one's own is not a query parameter.
    expect(attributeChoice('page.utm.adgroup')).toMatchObject({
      type: 'open',
      family: { prefix: 'page.utm.' },
      name: 'adgroup',
    })
    expect(attributeChoice('page.query.gclid')).toMatchObject({ family: { prefix: 'page.query.' } })
    expect(attributeChoice('visitor.pageview')).toEqual({
      type: 'unknown',
      attribute: 'visitor.pageview',
    })
  })
})

describe('operators per kind of value', () => {
  it('offers comparisons of order only for numbers and dates, text matching only for text', () => {
    expect(operatorsByKind.number).toEqual(expect.arrayContaining(['gt', 'gte', 'lt', 'lte']))
    expect(operatorsByKind.number).not.toContain('starts_with')
    expect(operatorsByKind.text).toEqual(expect.arrayContaining(['starts_with', 'matches']))
    expect(operatorsByKind.text).not.toContain('gt')
    expect(operatorsByKind.boolean).toEqual(['equal', 'not_equal', 'exists', 'not_exists'])
    expect(operatorsByKind.date).not.toContain('equal')
    expect(operatorsByKind.paths).toContain('starts_with')
    expect(operatorsByKind.choice).toEqual(
      expect.arrayContaining(['equal', 'in', 'exists', 'not_exists']),
    )
    // Every kind can ask whether the attribute is known, and every operator is offered somewhere.
    for (const list of Object.values(operatorsByKind)) {
      expect(list).toEqual(expect.arrayContaining(['exists', 'not_exists']))
    }
    const offered = new Set(Object.values(operatorsByKind).flat())
    for (const operator of operators) expect(offered.has(operator)).toBe(true)
  })

  it('keeps an operator a rule already has, even when unusual for the kind', () => {
    expect(operatorsFor('boolean', 'in')).toEqual([...operatorsByKind.boolean, 'in'])
    expect(operatorsFor('boolean', 'equal')).toEqual(operatorsByKind.boolean)
    expect(operatorsFor('number', 'not an operator')).toEqual(operatorsByKind.number)
  })

  it('takes the kind of a known attribute, and infers one for a trait of one’s own', () => {
    expect(kindOf('visitor.known', 'equal', undefined)).toEqual({ kind: 'boolean' })
    expect(kindOf('device.type', 'equal', 'mobile')).toEqual({
      kind: 'choice',
      choices: ['desktop', 'mobile', 'tablet'],
    })
    expect(inferKind('equal', 3)).toBe('number')
    expect(inferKind('in', [true])).toBe('boolean')
    expect(inferKind('gte', '2026-01-31')).toBe('date')
    expect(inferKind('equal', '2026-01-31')).toBe('text')
    expect(inferKind('exists', undefined)).toBe('text')
    expect(customKinds).toEqual(['text', 'number', 'boolean', 'date'])
  })
})

describe('condition values between inputs and rules', () => {
  it('types what was typed by the kind and the operator', () => {
    expect(parseValue('1000', 'number', 'gte')).toBe(1000)
    expect(parseValue(' 1e3 ', 'number', 'equal')).toBe(1000)
    // Not a number: kept as text for the loader to name, never dropped silently.
    expect(parseValue('lots', 'number', 'gte')).toBe('lots')
    expect(parseValue('true', 'boolean', 'equal')).toBe(true)
    expect(parseValue('false', 'boolean', 'equal')).toBe(false)
    expect(parseValue('2026-01-31', 'date', 'lt')).toBe('2026-01-31')
    expect(parseValue('  Software ', 'text', 'equal')).toBe('Software')
    expect(parseValue('Software\n\n Finance\n', 'text', 'in')).toEqual(['Software', 'Finance'])
    expect(parseValue('10\n20', 'number', 'not_in')).toEqual([10, 20])
    // Empty is no value: the loader then says the operator needs one.
    expect(parseValue('', 'text', 'equal')).toBeUndefined()
    expect(parseValue('\n', 'text', 'in')).toBeUndefined()
    expect(parseValue('anything', 'text', 'exists')).toBeUndefined()
  })

  it('shows a value as the text its input holds, and reads it back the same', () => {
    expect(valueText(undefined)).toBe('')
    expect(valueText(['Software', 'Finance'])).toBe('Software\nFinance')
    expect(valueText(1000)).toBe('1000')
    expect(valueText(true)).toBe('true')
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({
            kind: fc.constant('number' as const),
            value: fc
              .double({ noNaN: true, noDefaultInfinity: true })
              .filter((n) => !Object.is(n, -0)),
          }),
          fc.record({ kind: fc.constant('boolean' as const), value: fc.boolean() }),
          fc.record({
            kind: fc.constant('text' as const),
            value: fc
              .string({ minLength: 1 })
              .filter((s) => s.trim() === s && !s.includes('\n') && s !== ''),
          }),
        ),
        ({ kind, value }) => {
          expect(parseValue(valueText(value), kind, 'equal')).toEqual(value)
          expect(parseValue(valueText([value]), kind, 'in')).toEqual([value])
        },
      ),
    )
  })

  it('knows which operators take no value and which a list', () => {
    expect(takesNoValue('exists')).toBe(true)
    expect(takesNoValue('equal')).toBe(false)
    expect(takesList('not_in')).toBe(true)
    expect(takesList('includes')).toBe(false)
  })

  it('keeps what still fits when the operator or the kind changes', () => {
    expect(adaptValue('Software', { kind: 'text', operator: 'in' })).toEqual(['Software'])
    expect(adaptValue(['Software', 'Finance'], { kind: 'text', operator: 'equal' })).toBe(
      'Software',
    )
    expect(adaptValue('Software', { kind: 'text', operator: 'exists' })).toBeUndefined()
    expect(adaptValue('Software', { kind: 'number', operator: 'gte' })).toBeUndefined()
    expect(adaptValue(5, { kind: 'number', operator: 'gte' })).toBe(5)
    expect(adaptValue('mobile', { kind: 'choice', operator: 'equal', choices: ['mobile'] })).toBe(
      'mobile',
    )
    expect(
      adaptValue('phone', { kind: 'choice', operator: 'equal', choices: ['mobile'] }),
    ).toBeUndefined()
    expect(adaptValue('2026-01-31', { kind: 'date', operator: 'lt' })).toBe('2026-01-31')
    expect(adaptValue(true, { kind: 'text', operator: 'equal' })).toBeUndefined()
  })
})

/** Rules the loader accepts: conditions and groups nested up to three deep. */
const scalar = fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.integer(), fc.boolean())
const condition = fc.oneof(
  fc.record({
    attribute: fc.constantFrom('company.industry', 'user.plan', 'visitor.pageViews'),
    operator: fc.constantFrom('equal', 'not_equal', 'includes'),
    value: scalar,
  }),
  fc.record({
    attribute: fc.constantFrom('company.industry', 'page.query.gclid'),
    operator: fc.constantFrom('in', 'not_in'),
    value: fc.array(scalar, { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    attribute: fc.constantFrom('visitor.known', 'user.email'),
    operator: fc.constantFrom('exists', 'not_exists'),
  }),
)
const { rule: ruleArbitrary } = fc.letrec<{ rule: RuleDraft }>((tie) => ({
  rule: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    condition,
    fc.record({ all: fc.array(tie('rule'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ any: fc.array(tie('rule'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ not: tie('rule') }),
  ),
}))

/** The path of every node of a rule, the root first. */
function nodePaths(rule: RuleDraft, at: (string | number)[] = []): (string | number)[][] {
  if ('all' in rule)
    return [at, ...rule.all.flatMap((child, i) => nodePaths(child, [...at, 'all', i]))]
  if ('any' in rule)
    return [at, ...rule.any.flatMap((child, i) => nodePaths(child, [...at, 'any', i]))]
  if ('not' in rule) return [at, ...nodePaths(rule.not, [...at, 'not'])]
  return [at]
}

describe('rule changes by path', () => {
  const rule: RuleDraft = {
    all: [
      { attribute: 'company.employeeCount', operator: 'gte', value: 1000 },
      { any: [{ attribute: 'user.plan', operator: 'equal', value: 'pro' }] },
    ],
  }

  it('finds and replaces a node at a path in the loader’s keys, copying only its way down', () => {
    expect(nodeAt(rule, ['all', 1, 'any', 0])).toEqual({
      attribute: 'user.plan',
      operator: 'equal',
      value: 'pro',
    })
    expect(nodeAt(rule, ['all', 5])).toBeUndefined()
    const next = setAt(rule, ['all', 1, 'any', 0], { attribute: 'user.plan', operator: 'exists' })
    expect(nodeAt(next, ['all', 1, 'any', 0])).toEqual({
      attribute: 'user.plan',
      operator: 'exists',
    })
    // The original is untouched; the sibling is the same object.
    expect(nodeAt(rule, ['all', 1, 'any', 0, 'operator'])).toBe('equal')
    expect(nodeAt(next, ['all', 0])).toBe(nodeAt(rule, ['all', 0]))
  })

  it('adds to a group, removes from one, negates and switches all / any', () => {
    const added = addChild(rule, ['all', 1], newCondition())
    expect(nodeAt(added, ['all', 1, 'any', 1])).toEqual(newCondition())
    const removed = removeAt(added, ['all', 0])
    expect(removed).toEqual({
      all: [{ any: [nodeAt(rule, ['all', 1, 'any', 0]), newCondition()] }],
    })
    const negated = toggleNot(rule, ['all', 0])
    expect(nodeAt(negated, ['all', 0, 'not'])).toBe(nodeAt(rule, ['all', 0]))
    expect(toggleNot(negated, ['all', 0])).toEqual(rule)
    expect(setGroupMode(rule, ['all', 1], 'all')).toEqual({
      all: [rule.all[0], { all: [{ attribute: 'user.plan', operator: 'equal', value: 'pro' }] }],
    })
    // The child of a `not` goes with it; the root cannot go.
    expect(removeAt(negated, ['all', 0, 'not'])).toEqual({ all: [rule.all[1]] })
    expect(removeAt(rule, [])).toBeUndefined()
  })

  it('turns a root condition into a group when a second rule is added', () => {
    const single = { attribute: 'device.type', operator: 'equal', value: 'mobile' }
    expect(addToRoot(single, newCondition())).toEqual({
      rule: { all: [single, newCondition()] },
      at: ['all', 1],
    })
    expect(addToRoot(rule, newCondition()).at).toEqual(['all', 2])
  })

  it('changes nothing in a rule it only opens: every node and operator of any valid rule is kept', () => {
    fc.assert(
      fc.property(ruleArbitrary, (generated) => {
        expect(validatePersonalizationConfig({ segments: [{ id: 's', rule: generated }] }).ok).toBe(
          true,
        )
        for (const path of nodePaths(generated)) {
          const node = nodeAt(generated, path)
          expect(node).toBeDefined()
          // Each node is found at its path, and putting it back changes nothing.
          expect(setAt(generated, path, node as RuleDraft)).toEqual(generated)
          // Negating wraps in a `not`, which negating again takes off; a `not` is unwrapped.
          if (node !== undefined && 'not' in node) {
            expect(toggleNot(generated, path)).toEqual(setAt(generated, path, node.not))
          } else {
            expect(toggleNot(toggleNot(generated, path), path)).toEqual(generated)
          }
          if (node !== undefined && 'attribute' in node) {
            // The builder's list for the condition's kind always holds the operator it has.
            const { kind } = kindOf(node.attribute, node.operator, node.value)
            expect(operatorsFor(kind, node.operator)).toContain(node.operator)
          }
        }
      }),
      { numRuns: 200 },
    )
  })
})
