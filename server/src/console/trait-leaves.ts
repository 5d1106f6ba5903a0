import type { Json, JsonObject } from '../traits/json.ts'
import { materializeTraits, type TraitNode } from '../traits/trait-tree.ts'

/** One visible trait value with the event time it was written at. */
export interface TraitLeaf {
  path: string
  value: Json
  at: number
}

/**
 * Every trait a reader sees, as `a.b.c` paths with the time of the write that set it (the trait
 * tree keeps one per leaf), sorted by path.
 */
export function traitLeaves(tree: TraitNode): TraitLeaf[] {
  const visible = materializeTraits(tree)
  const out: TraitLeaf[] = []
  const walk = (node: TraitNode, path: string[]) => {
    if ('v' in node && node.t !== undefined && node.v !== undefined) {
      const value = lookup(visible, path)
      if (value !== undefined && JSON.stringify(value) === JSON.stringify(node.v)) {
        out.push({ path: path.join('.'), value, at: node.t })
      }
    }
    for (const [key, child] of Object.entries(node.k ?? {})) walk(child, [...path, key])
  }
  walk(tree, [])
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}

function lookup(object: JsonObject, path: readonly string[]): Json | undefined {
  let current: Json | undefined = object
  for (const key of path) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined
    current = Object.hasOwn(current, key) ? current[key] : undefined
  }
  return current
}
