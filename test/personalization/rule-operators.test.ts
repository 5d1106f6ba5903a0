import { describe, expect, it } from 'vitest'
import { compileRule } from '../../server/src/personalization/compile-rule.ts'
import type { Condition, Rule } from '../../server/src/personalization/rule-types.ts'
import { evalContext } from '../helpers/eval-context.ts'

const acme = evalContext({
  company: { name: 'Acme', industry: 'Software', employeeCount: 5000, tags: ['b2b', 'saas'] },
  user: { email: 'ann@acme.com', plan: 'pro', trial: true, seats: '12' },
  visitor: {
    ...evalContext().visitor,
    known: true,
    sessions: 3,
    firstSeen: '2026-03-01T10:00:00.000Z',
    visitedPaths: ['/pricing/enterprise', '/blog/launch'],
  },
  page: { path: '/pricing', query: { gclid: 'abc' }, utm: { source: 'google' } },
})

const test = (condition: Condition) => compileRule(condition)(acme)

describe('segment rule operators', () => {
  it.each<[string, Condition, boolean]>([
    [
      'equal matches text ignoring case',
      { attribute: 'company.industry', operator: 'equal', value: 'software' },
      true,
    ],
    [
      'equal compares numbers',
      { attribute: 'company.employeeCount', operator: 'equal', value: 5000 },
      true,
    ],
    [
      'equal reads a numeric string as a number',
      { attribute: 'user.seats', operator: 'equal', value: 12 },
      true,
    ],
    ['equal compares booleans', { attribute: 'user.trial', operator: 'equal', value: true }, true],
    [
      'equal is false for another value',
      { attribute: 'company.industry', operator: 'equal', value: 'Retail' },
      false,
    ],
    [
      'not_equal is true for another value',
      { attribute: 'company.industry', operator: 'not_equal', value: 'Retail' },
      true,
    ],
    [
      'not_equal is false for the same value',
      { attribute: 'company.industry', operator: 'not_equal', value: 'SOFTWARE' },
      false,
    ],
    [
      'in finds the value in the list',
      { attribute: 'company.industry', operator: 'in', value: ['Finance', 'Software'] },
      true,
    ],
    [
      'in is false outside the list',
      { attribute: 'company.industry', operator: 'in', value: ['Finance'] },
      false,
    ],
    [
      'not_in is true outside the list',
      { attribute: 'user.plan', operator: 'not_in', value: ['free', 'basic'] },
      true,
    ],
    [
      'not_in is false inside the list',
      { attribute: 'user.plan', operator: 'not_in', value: ['pro'] },
      false,
    ],
    [
      'includes finds a substring',
      { attribute: 'user.email', operator: 'includes', value: '@ACME.' },
      true,
    ],
    [
      'includes finds an element of a list',
      { attribute: 'company.tags', operator: 'includes', value: 'saas' },
      true,
    ],
    [
      'includes does not take a substring of a list element',
      { attribute: 'company.tags', operator: 'includes', value: 'sa' },
      false,
    ],
    [
      'not_includes is true without the substring',
      { attribute: 'user.email', operator: 'not_includes', value: 'gmail' },
      true,
    ],
    [
      'not_includes is false with the element',
      { attribute: 'company.tags', operator: 'not_includes', value: 'b2b' },
      false,
    ],
    [
      'starts_with matches a prefix',
      { attribute: 'page.path', operator: 'starts_with', value: '/PRIC' },
      true,
    ],
    [
      'starts_with matches any element of a list',
      { attribute: 'visitor.visitedPaths', operator: 'starts_with', value: '/blog' },
      true,
    ],
    [
      'starts_with is false otherwise',
      { attribute: 'page.path', operator: 'starts_with', value: '/blog' },
      false,
    ],
    [
      'ends_with matches a suffix',
      { attribute: 'user.email', operator: 'ends_with', value: 'acme.com' },
      true,
    ],
    [
      'ends_with is false otherwise',
      { attribute: 'user.email', operator: 'ends_with', value: '.org' },
      false,
    ],
    [
      'matches runs the regular expression',
      { attribute: 'user.email', operator: 'matches', value: '^[a-z]+@acme\\.com$' },
      true,
    ],
    [
      'matches is case-sensitive as written',
      { attribute: 'company.name', operator: 'matches', value: '^acme$' },
      false,
    ],
    [
      'gt compares numbers',
      { attribute: 'company.employeeCount', operator: 'gt', value: 4999 },
      true,
    ],
    ['gt is strict', { attribute: 'company.employeeCount', operator: 'gt', value: 5000 }, false],
    [
      'gte includes the bound',
      { attribute: 'company.employeeCount', operator: 'gte', value: 5000 },
      true,
    ],
    ['lt compares numbers', { attribute: 'visitor.sessions', operator: 'lt', value: 4 }, true],
    ['lt is strict', { attribute: 'visitor.sessions', operator: 'lt', value: 3 }, false],
    ['lte includes the bound', { attribute: 'visitor.sessions', operator: 'lte', value: 3 }, true],
    [
      'gt with an ISO date compares dates',
      { attribute: 'visitor.firstSeen', operator: 'gt', value: '2026-02-01' },
      true,
    ],
    [
      'lt with an ISO date compares dates',
      { attribute: 'visitor.firstSeen', operator: 'lt', value: '2026-02-01' },
      false,
    ],
    [
      'gt ignores text that is not a number',
      { attribute: 'company.name', operator: 'gt', value: 1 },
      false,
    ],
    ['exists is true for a value', { attribute: 'page.query.gclid', operator: 'exists' }, true],
    [
      'exists is false for a missing value',
      { attribute: 'page.utm.campaign', operator: 'exists' },
      false,
    ],
    [
      'not_exists is true for a missing value',
      { attribute: 'user.phone', operator: 'not_exists' },
      true,
    ],
    [
      'not_exists is false for a value',
      { attribute: 'visitor.known', operator: 'not_exists' },
      false,
    ],
  ])('%s', (_name, condition, expected) => {
    expect(test(condition)).toBe(expected)
  })

  it.each<Condition>([
    { attribute: 'user.missing', operator: 'equal', value: 'x' },
    { attribute: 'user.missing', operator: 'not_equal', value: 'x' },
    { attribute: 'user.missing', operator: 'not_in', value: ['x'] },
    { attribute: 'user.missing', operator: 'not_includes', value: 'x' },
    { attribute: 'user.missing', operator: 'lt', value: 10 },
  ])('a missing attribute matches nothing but not_exists ($operator)', (condition) => {
    expect(test(condition)).toBe(false)
  })

  it('treats an empty string and null as missing', () => {
    const ctx = evalContext({ user: { title: '', phone: null } })
    expect(compileRule({ attribute: 'user.title', operator: 'exists' })(ctx)).toBe(false)
    expect(compileRule({ attribute: 'user.phone', operator: 'not_exists' })(ctx)).toBe(true)
  })
})

describe('segment rule combinators', () => {
  const yes: Rule = { attribute: 'company.industry', operator: 'equal', value: 'Software' }
  const no: Rule = { attribute: 'company.industry', operator: 'equal', value: 'Retail' }
  const run = (rule: Rule) => compileRule(rule)(acme)

  it('all needs every rule', () => {
    expect(run({ all: [yes, yes] })).toBe(true)
    expect(run({ all: [yes, no] })).toBe(false)
  })

  it('any needs one rule', () => {
    expect(run({ any: [no, yes] })).toBe(true)
    expect(run({ any: [no, no] })).toBe(false)
  })

  it('not inverts its rule', () => {
    expect(run({ not: yes })).toBe(false)
    expect(run({ not: no })).toBe(true)
  })

  it('nests freely', () => {
    expect(run({ all: [yes, { any: [no, { not: no }] }] })).toBe(true)
    expect(run({ all: [yes, { not: { any: [no, yes] } }] })).toBe(false)
  })

  it('matches the enterprise example: employeeCount >= 1000 and industry in a list', () => {
    const rule: Rule = {
      all: [
        { attribute: 'company.employeeCount', operator: 'gte', value: 1000 },
        { attribute: 'company.industry', operator: 'in', value: ['Software', 'Finance'] },
      ],
    }
    expect(run(rule)).toBe(true)
    const small = evalContext({ company: { employeeCount: 50, industry: 'Software' } })
    expect(compileRule(rule)(small)).toBe(false)
  })
})
