import type { Json } from '../traits/json.ts'
import { compileAccessor, type EvalContext } from './attributes.ts'
import type { Condition, Operator, RuleScalar } from './rule-types.ts'

/** A compiled rule: a plain function of the request's context. */
export type Predicate = (ctx: EvalContext) => boolean

type PositiveOperator = Exclude<Operator, `not_${string}` | 'exists'>
type ScalarTest = (value: Json) => boolean

const negations: Partial<Record<Operator, PositiveOperator>> = {
  not_equal: 'equal',
  not_in: 'in',
  not_includes: 'includes',
}

/**
 * Compiles one condition into a predicate. Everything that depends only on the config (lower-cased
 * strings, the regular expression, the comparison kind) is worked out here, once per load.
 *
 * Semantics, the same for every operator: a missing attribute (absent, `null` or `""`) matches
 * nothing but `not_exists`, so `not_equal` never matches a visitor who lacks the attribute. On a
 * list attribute (`visitor.visitedPaths`) a condition matches when any element does; `includes`
 * asks for an element equal to the value. Text comparisons ignore case, except `matches`.
 */
export function compileCondition(condition: Condition): Predicate {
  const read = compileAccessor(condition.attribute)
  const { operator } = condition
  if (operator === 'exists') return (ctx) => isPresent(read(ctx))
  if (operator === 'not_exists') return (ctx) => !isPresent(read(ctx))
  const negated = negations[operator]
  const positive = negated ?? (operator as PositiveOperator)
  const scalarTest = compileTest(positive, condition.value)
  const listTest = positive === 'includes' ? compileTest('equal', condition.value) : scalarTest
  return (ctx) => {
    const value = read(ctx)
    if (!isPresent(value)) return false
    const hit = Array.isArray(value)
      ? value.some((item) => isPresent(item) && listTest(item))
      : scalarTest(value)
    return negated === undefined ? hit : !hit
  }
}

function isPresent(value: Json | undefined): value is Json {
  return value !== undefined && value !== null && value !== ''
}

function compileTest(operator: PositiveOperator, expected: Condition['value']): ScalarTest {
  switch (operator) {
    case 'equal':
      return equalTo(expected as RuleScalar)
    case 'in': {
      const tests = (expected as RuleScalar[]).map(equalTo)
      return (value) => tests.some((test) => test(value))
    }
    case 'includes': {
      const needle = lower(expected as RuleScalar)
      return (value) => isText(value) && lower(value).includes(needle)
    }
    case 'starts_with': {
      const prefix = lower(expected as RuleScalar)
      return (value) => isText(value) && lower(value).startsWith(prefix)
    }
    case 'ends_with': {
      const suffix = lower(expected as RuleScalar)
      return (value) => isText(value) && lower(value).endsWith(suffix)
    }
    case 'matches': {
      const pattern = new RegExp(String(expected))
      return (value) => isText(value) && pattern.test(String(value))
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return compare(operator, expected as number | string)
  }
}

function isText(value: Json): value is string | number {
  return typeof value === 'string' || typeof value === 'number'
}

function lower(value: RuleScalar): string {
  return String(value).toLowerCase()
}

/** Equality with the coercions a marketer expects: `"1000"` equals 1000, text ignores case. */
function equalTo(expected: RuleScalar): ScalarTest {
  if (typeof expected === 'boolean') {
    return (value) => value === expected || value === String(expected)
  }
  if (typeof expected === 'number') return (value) => toNumber(value) === expected
  const text = expected.toLowerCase()
  return (value) => isText(value) && String(value).toLowerCase() === text
}

function toNumber(value: Json): number | undefined {
  if (typeof value === 'number') return value
  if (typeof value === 'string' && value.trim() !== '') {
    const number = Number(value)
    return Number.isFinite(number) ? number : undefined
  }
  return undefined
}

/** Numbers compare as numbers; an ISO date in the config compares the attribute as a date. */
function compare(operator: 'gt' | 'gte' | 'lt' | 'lte', expected: number | string): ScalarTest {
  const bound = typeof expected === 'number' ? expected : Date.parse(expected)
  const read =
    typeof expected === 'number'
      ? toNumber
      : (value: Json) => (typeof value === 'string' ? Date.parse(value) : undefined)
  const holds = {
    gt: (a: number) => a > bound,
    gte: (a: number) => a >= bound,
    lt: (a: number) => a < bound,
    lte: (a: number) => a <= bound,
  }[operator]
  return (value) => {
    const number = read(value)
    return number !== undefined && !Number.isNaN(number) && holds(number)
  }
}
