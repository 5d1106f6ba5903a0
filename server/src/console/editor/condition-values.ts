import type { Operator, RuleScalar } from '../../personalization/rule-types.ts'
import type { ValueKind } from './attribute-kinds.ts'

/*
 * A condition's value between the builder's inputs (text) and the rule (typed JSON). Pure. The
 * loader stays the judge: a value the builder cannot type (letters in a number) goes into the
 * rule as text, and the loader's message says what is wrong at its path.
 */

/** A condition's value in a rule: none, a scalar, or a list (`in`, `not_in`). */
export type ConditionValue = RuleScalar | RuleScalar[] | undefined

/** Operators that take no value. */
export function takesNoValue(operator: string): boolean {
  return operator === 'exists' || operator === 'not_exists'
}

/** Operators whose value is a list, typed one item per line. */
export function takesList(operator: string): boolean {
  return operator === 'in' || operator === 'not_in'
}

/** What an input shows for a value: a list one item per line, nothing as empty. */
export function valueText(value: unknown): string {
  if (value === undefined || value === null) return ''
  if (Array.isArray(value)) return value.map((item) => valueText(item)).join('\n')
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return String(value)
  }
  return JSON.stringify(value) ?? ''
}

/**
 * The value a typed text stands for, given the attribute's kind and the operator: nothing for an
 * empty input (the loader then says the operator needs a value), a list for `in` / `not_in`.
 */
export function parseValue(text: string, kind: ValueKind, operator: string): ConditionValue {
  if (takesNoValue(operator)) return undefined
  if (takesList(operator)) {
    const items = text
      .split('\n')
      .map((line) => parseScalar(line, kind))
      .filter((item): item is RuleScalar => item !== undefined)
    return items.length === 0 ? undefined : items
  }
  return parseScalar(text, kind)
}

/** One typed item: numbers as numbers, yes/no as booleans; empty is nothing. */
export function parseScalar(text: string, kind: ValueKind): RuleScalar | undefined {
  const trimmed = text.trim()
  if (trimmed === '') return undefined
  if (kind === 'number') {
    const number = Number(trimmed)
    return Number.isFinite(number) ? number : trimmed
  }
  if (kind === 'boolean') {
    if (trimmed === 'true') return true
    if (trimmed === 'false') return false
    return trimmed
  }
  return trimmed
}

/**
 * The value a condition keeps when its operator or its attribute's kind changes: none for
 * `exists`, the first item when a list becomes one value, a one-item list the other way; a
 * value that does not fit the new kind (text for a number, a choice not offered) is dropped.
 */
export function adaptValue(
  value: ConditionValue,
  to: { kind: ValueKind; operator: Operator; choices?: readonly string[] },
): ConditionValue {
  if (takesNoValue(to.operator) || value === undefined) return undefined
  const items = (Array.isArray(value) ? value : [value]).filter((item) => fits(item, to))
  if (items.length === 0) return undefined
  return takesList(to.operator) ? items : items[0]
}

function fits(item: RuleScalar, to: { kind: ValueKind; choices?: readonly string[] }): boolean {
  switch (to.kind) {
    case 'number':
      return typeof item === 'number'
    case 'boolean':
      return typeof item === 'boolean'
    case 'date':
      return typeof item === 'string' && /^\d{4}-\d{2}-\d{2}/.test(item)
    case 'choice':
      return typeof item === 'string' && (to.choices ?? []).includes(item)
    case 'text':
    case 'paths':
      return typeof item === 'string' || typeof item === 'number'
  }
}
