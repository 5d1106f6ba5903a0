import { compileCondition, type Predicate } from './operators.ts'
import type { Rule } from './rule-types.ts'

/**
 * Compiles a (validated) rule tree into one predicate, once per config load: requests only call
 * closures, they never walk the rule's JSON.
 */
export function compileRule(rule: Rule): Predicate {
  if ('all' in rule) {
    const parts = rule.all.map(compileRule)
    return (ctx) => parts.every((part) => part(ctx))
  }
  if ('any' in rule) {
    const parts = rule.any.map(compileRule)
    return (ctx) => parts.some((part) => part(ctx))
  }
  if ('not' in rule) {
    const inner = compileRule(rule.not)
    return (ctx) => !inner(ctx)
  }
  return compileCondition(rule)
}
