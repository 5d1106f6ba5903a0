import { limits } from '../contract/limits.ts'
import type { JsonObject } from '../traits/json.ts'
import { capNewPaths, mergeTraitTrees, traitsToTree, type TraitNode } from '../traits/trait-tree.ts'
import type { Warning } from './warnings.ts'

/**
 * Merges a call's traits into a stored tree at the event's time, within the per-profile cap on
 * stored traits: updates always apply, new traits beyond the cap are dropped with a warning.
 */
export function applyTraits(
  current: TraitNode,
  traits: JsonObject,
  at: number,
  path: string,
  warnings: Warning[],
): TraitNode {
  const { tree, dropped } = capNewPaths(current, traitsToTree(traits, at), limits.traitsPerProfile)
  if (dropped > 0) {
    warnings.push({
      code: 'too_many_traits',
      message: `${dropped} new traits were dropped: a profile or account keeps at most ${limits.traitsPerProfile}`,
      path,
    })
  }
  return mergeTraitTrees(current, tree)
}
