import type { RuleScalar } from '../../personalization/rule-types.ts'

/*
 * A segment rule as the builder edits it: the rule's own JSON (so opening and saving a rule
 * changes nothing), possibly incomplete while the marketer types (an empty value, a group with
 * no rule yet), which the loader then names. Every change is a pure function of the rule and
 * the path of a node inside it, in the loader's keys (`['all', 1, 'any', 0]`), so the loader's
 * issue paths point at the same nodes.
 */

/** One condition, possibly incomplete. */
export interface ConditionDraft {
  attribute: string
  operator: string
  value?: RuleScalar | RuleScalar[]
}

/** A rule node: a condition, or `all` / `any` of rules, or `not` of one. */
export type RuleDraft =
  ConditionDraft | { all: RuleDraft[] } | { any: RuleDraft[] } | { not: RuleDraft }

/** A node's path inside a rule, in the loader's keys and indexes. */
export type RulePath = readonly (string | number)[]

/** What a node is. */
export type NodeType = 'condition' | 'all' | 'any' | 'not'

export function nodeType(node: RuleDraft): NodeType {
  if ('all' in node) return 'all'
  if ('any' in node) return 'any'
  if ('not' in node) return 'not'
  return 'condition'
}

/** The children of a group (none for a condition or `not`). */
export function childrenOf(node: RuleDraft): readonly RuleDraft[] {
  if ('all' in node) return node.all
  if ('any' in node) return node.any
  return []
}

/** The node at `path`, or undefined when there is none. */
export function nodeAt(rule: RuleDraft, path: RulePath): RuleDraft | undefined {
  let node: unknown = rule
  for (const key of path) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return undefined
    node = (node as Record<string | number, unknown>)[key]
  }
  return node as RuleDraft
}

/** The rule with the node at `path` replaced by `node` (the whole rule for an empty path). */
export function setAt(rule: RuleDraft, path: RulePath, node: RuleDraft): RuleDraft {
  if (path.length === 0) return node
  const [key, ...rest] = path
  const parent = rule as unknown as Record<string | number, unknown>
  if (typeof key !== 'string') throw new Error('a rule path starts with a key')
  const child = parent[key]
  if (Array.isArray(child)) {
    const [index, ...deeper] = rest
    if (typeof index !== 'number' || index < 0 || index >= child.length) {
      throw new Error(`no rule at ${JSON.stringify(path)}`)
    }
    const list = [...(child as RuleDraft[])]
    list[index] = setAt(list[index] as RuleDraft, deeper, node)
    return { ...parent, [key]: list } as unknown as RuleDraft
  }
  if (typeof child !== 'object' || child === null)
    throw new Error(`no rule at ${JSON.stringify(path)}`)
  return { ...parent, [key]: setAt(child as RuleDraft, rest, node) } as unknown as RuleDraft
}

/** A new condition for the builder: an attribute and operator chosen, the value still to type. */
export function newCondition(): ConditionDraft {
  return { attribute: 'company.industry', operator: 'equal' }
}

/** Adds `node` at the end of the group at `groupPath`. */
export function addChild(rule: RuleDraft, groupPath: RulePath, node: RuleDraft): RuleDraft {
  const group = nodeAt(rule, groupPath)
  if (group === undefined) throw new Error(`no group at ${JSON.stringify(groupPath)}`)
  if ('all' in group) return setAt(rule, groupPath, { all: [...group.all, node] })
  if ('any' in group) return setAt(rule, groupPath, { any: [...group.any, node] })
  throw new Error(`the rule at ${JSON.stringify(groupPath)} is not a group`)
}

/**
 * Removes the node at `path` from its group. The child of a `not` goes with its `not`; the
 * root cannot be removed (undefined is answered).
 */
export function removeAt(rule: RuleDraft, path: RulePath): RuleDraft | undefined {
  if (path.length === 0) return undefined
  const last = path[path.length - 1]
  if (last === 'not') return removeAt(rule, path.slice(0, -1))
  const groupPath = path.slice(0, -2)
  const key = path[path.length - 2]
  const group = nodeAt(rule, groupPath)
  if (group === undefined || typeof last !== 'number' || (key !== 'all' && key !== 'any')) {
    throw new Error(`no rule at ${JSON.stringify(path)}`)
  }
  const list = childrenOf(group).filter((_, index) => index !== last)
  return setAt(rule, groupPath, key === 'all' ? { all: list } : { any: list })
}

/** Wraps the node at `path` in a `not`, or unwraps it when it is one. */
export function toggleNot(rule: RuleDraft, path: RulePath): RuleDraft {
  const node = nodeAt(rule, path)
  if (node === undefined) throw new Error(`no rule at ${JSON.stringify(path)}`)
  return setAt(rule, path, 'not' in node ? node.not : { not: node })
}

/** Makes the group at `path` match all or any of its rules. */
export function setGroupMode(rule: RuleDraft, path: RulePath, mode: 'all' | 'any'): RuleDraft {
  const node = nodeAt(rule, path)
  if (node === undefined || nodeType(node) === 'condition' || nodeType(node) === 'not') {
    throw new Error(`the rule at ${JSON.stringify(path)} is not a group`)
  }
  const list = [...childrenOf(node)]
  return setAt(rule, path, mode === 'all' ? { all: list } : { any: list })
}

/**
 * The rule with one more condition or group: added to the root group, or, when the root is a
 * single condition (or a `not`), the root becomes `all` of it and the new node.
 */
export function addToRoot(rule: RuleDraft, node: RuleDraft): { rule: RuleDraft; at: RulePath } {
  const type = nodeType(rule)
  if (type === 'all' || type === 'any') {
    return { rule: addChild(rule, [], node), at: [type, childrenOf(rule).length] }
  }
  return { rule: { all: [rule, node] }, at: ['all', 1] }
}
