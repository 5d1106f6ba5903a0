/** Operators a condition can use; `not_*` are the negations of their positive twins. */
export const operators = [
  'equal',
  'not_equal',
  'in',
  'not_in',
  'includes',
  'not_includes',
  'starts_with',
  'ends_with',
  'matches',
  'gt',
  'gte',
  'lt',
  'lte',
  'exists',
  'not_exists',
] as const

export type Operator = (typeof operators)[number]

/** A scalar a rule can compare with. */
export type RuleScalar = string | number | boolean

/** One test of one attribute: `{attribute: company.employeeCount, operator: gte, value: 1000}`. */
export interface Condition {
  attribute: string
  operator: Operator
  value?: RuleScalar | RuleScalar[]
}

/** A segment rule: a condition, or `all` / `any` / `not` of rules, nested freely. */
export type Rule = Condition | { all: Rule[] } | { any: Rule[] } | { not: Rule }
