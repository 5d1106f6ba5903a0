import type { Condition, Rule, RuleScalar } from '../personalization/rule-types.ts'

/** Each operator as the console reads it out (the segment builder's operator list too). */
export const operatorWords: Record<Condition['operator'], string> = {
  equal: 'is',
  not_equal: 'is not',
  in: 'is one of',
  not_in: 'is none of',
  includes: 'includes',
  not_includes: 'does not include',
  starts_with: 'starts with',
  ends_with: 'ends with',
  matches: 'matches the pattern',
  gt: 'is greater than',
  gte: 'is at least',
  lt: 'is less than',
  lte: 'is at most',
  exists: 'is known',
  not_exists: 'is unknown',
}

function scalar(value: RuleScalar): string {
  return typeof value === 'string' ? `"${value}"` : String(value)
}

/** `company.employeeCount is at least 1000`. */
export function conditionInWords(condition: Condition): string {
  const verb = operatorWords[condition.operator] ?? condition.operator
  const value = condition.value
  if (value === undefined) return `${condition.attribute} ${verb}`
  const shown = Array.isArray(value) ? value.map(scalar).join(', ') : scalar(value)
  return `${condition.attribute} ${verb} ${shown}`
}

/** A rule as nested sentences: a condition, or "all of" / "any of" / "not" with children. */
export type RuleWords = { text: string; children?: RuleWords[] }

/** Turns a rule into words a marketer reads, keeping its nesting. */
export function ruleInWords(rule: Rule): RuleWords {
  if ('all' in rule) return { text: 'all of these', children: rule.all.map(ruleInWords) }
  if ('any' in rule) return { text: 'any of these', children: rule.any.map(ruleInWords) }
  if ('not' in rule) return { text: 'not this', children: [ruleInWords(rule.not)] }
  return { text: conditionInWords(rule) }
}

/** Whether a rule reads the page or the device, which only a visit has. */
export function dependsOnVisit(rule: Rule): boolean {
  if ('all' in rule) return rule.all.some(dependsOnVisit)
  if ('any' in rule) return rule.any.some(dependsOnVisit)
  if ('not' in rule) return dependsOnVisit(rule.not)
  return rule.attribute.startsWith('page.') || rule.attribute.startsWith('device.')
}
