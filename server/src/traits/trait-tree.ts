import { isJsonObject, isSafeKey, type Json, type JsonObject } from './json.ts'

/**
 * Traits as stored: a tree whose nodes may carry their own write (event time + value, or a
 * deletion) besides children. Every leaf of an incoming traits object is one write, so two
 * profiles, or a profile and an event, merge by keeping the later write per path. That makes the
 * merge commutative, associative and idempotent, whatever order events arrive in.
 */
export interface TraitNode {
  /** Event time (ms) of the write at exactly this path; absent when nothing was written here. */
  t?: number
  /** The written value (never a plain object); absent on a written node means "deleted". */
  v?: Json
  /** Children by key. */
  k?: Record<string, TraitNode>
}

/** Turns incoming traits into writes stamped with the event time; `null` becomes a deletion. */
export function traitsToTree(traits: JsonObject, at: number): TraitNode {
  const children: Record<string, TraitNode> = {}
  let count = 0
  for (const [key, value] of Object.entries(traits)) {
    if (!isSafeKey(key)) continue
    if (isJsonObject(value)) {
      const child = traitsToTree(value, at)
      if (child.k === undefined) continue // `{}` writes nothing
      children[key] = child
    } else {
      children[key] = value === null ? { t: at } : { t: at, v: value }
    }
    count += 1
  }
  return count === 0 ? {} : { k: children }
}

/** Merges two trait trees, keeping the later write at every path and dropping dead writes. */
export function mergeTraitTrees(a: TraitNode, b: TraitNode): TraitNode {
  return pruneDeadWrites(mergeNodes(a, b), undefined)
}

/** The traits a reader sees: every visible write, nested back into plain objects. */
export function materializeTraits(root: TraitNode): JsonObject {
  const value = render(root, undefined, new Map())
  return isJsonObject(value) ? value : {}
}

/** Total order on writes: event time, then the value's JSON text so ties resolve the same way everywhere. */
function compareWrites(a: TraitNode, b: TraitNode): number {
  const ta = a.t ?? -Infinity
  const tb = b.t ?? -Infinity
  if (ta !== tb) return ta < tb ? -1 : 1
  const ea = encodeWrite(a)
  const eb = encodeWrite(b)
  return ea < eb ? -1 : ea > eb ? 1 : 0
}

function encodeWrite(node: TraitNode): string {
  return 'v' in node ? JSON.stringify(node.v) : ''
}

function hasWrite(node: TraitNode): boolean {
  return node.t !== undefined
}

function later(a: TraitNode | undefined, b: TraitNode | undefined): TraitNode | undefined {
  if (a === undefined) return b
  if (b === undefined) return a
  return compareWrites(a, b) >= 0 ? a : b
}

function mergeNodes(a: TraitNode, b: TraitNode): TraitNode {
  const out: TraitNode = {}
  const write = later(hasWrite(a) ? a : undefined, hasWrite(b) ? b : undefined)
  if (write !== undefined) copyWrite(write, out)
  if (a.k !== undefined || b.k !== undefined) {
    const children: Record<string, TraitNode> = {}
    for (const side of [a.k, b.k]) {
      if (side === undefined) continue
      for (const [key, child] of Object.entries(side)) {
        if (!isSafeKey(key)) continue
        const existing = Object.hasOwn(children, key) ? children[key] : undefined
        children[key] = existing === undefined ? child : mergeNodes(existing, child)
      }
    }
    out.k = children
  }
  return out
}

function copyWrite(from: TraitNode, to: TraitNode): void {
  if (from.t !== undefined) to.t = from.t
  if ('v' in from && from.v !== undefined) to.v = from.v
}

/**
 * A write no later than one of its ancestors' can never be seen again: later merges only raise
 * the ancestors. Dropping it keeps the stored tree as small as what it means.
 */
function pruneDeadWrites(node: TraitNode, floor: TraitNode | undefined): TraitNode {
  const out: TraitNode = {}
  const alive = hasWrite(node) && (floor === undefined || compareWrites(node, floor) > 0)
  if (alive) copyWrite(node, out)
  if (node.k !== undefined) {
    const nextFloor = alive ? node : floor
    const children: Record<string, TraitNode> = {}
    let count = 0
    for (const [key, child] of Object.entries(node.k)) {
      const pruned = pruneDeadWrites(child, nextFloor)
      if (!hasWrite(pruned) && pruned.k === undefined) continue
      children[key] = pruned
      count += 1
    }
    if (count > 0) out.k = children
  }
  return out
}

function render(
  node: TraitNode,
  floor: TraitNode | undefined,
  maxCache: Map<TraitNode, TraitNode | undefined>,
): Json | undefined {
  const aboveFloor = hasWrite(node) && (floor === undefined || compareWrites(node, floor) > 0)
  if (aboveFloor) {
    const newestBelow = newestWriteBelow(node, maxCache)
    if (newestBelow === undefined || compareWrites(node, newestBelow) > 0) {
      return 'v' in node ? node.v : undefined
    }
  }
  if (node.k === undefined) return undefined
  const nextFloor = aboveFloor ? node : floor
  const out: JsonObject = {}
  let count = 0
  for (const [key, child] of Object.entries(node.k)) {
    const value = render(child, nextFloor, maxCache)
    if (value === undefined) continue
    out[key] = value
    count += 1
  }
  return count === 0 ? undefined : out
}

function newestWriteBelow(
  node: TraitNode,
  cache: Map<TraitNode, TraitNode | undefined>,
): TraitNode | undefined {
  if (cache.has(node)) return cache.get(node)
  let newest: TraitNode | undefined
  for (const child of Object.values(node.k ?? {})) {
    newest = later(newest, hasWrite(child) ? child : undefined)
    newest = later(newest, newestWriteBelow(child, cache))
  }
  cache.set(node, newest)
  return newest
}

/** How many writes (leaf values and deletions) a tree holds. */
export function countWrites(node: TraitNode): number {
  let count = hasWrite(node) ? 1 : 0
  for (const child of Object.values(node.k ?? {})) count += countWrites(child)
  return count
}

/**
 * Keeps `incoming` from growing `existing` past `max` writes: writes to paths `existing` already
 * holds always pass (they update), new paths pass while there is room. Returns what passed and
 * how many new paths were turned away, so one visitor cannot grow a profile without bound.
 */
export function capNewPaths(
  existing: TraitNode,
  incoming: TraitNode,
  max: number,
): { tree: TraitNode; dropped: number } {
  let room = max - countWrites(existing)
  let dropped = 0
  const walk = (have: TraitNode | undefined, add: TraitNode): TraitNode => {
    const out: TraitNode = {}
    if (hasWrite(add)) {
      if (have !== undefined && hasWrite(have)) copyWrite(add, out)
      else if (room > 0) {
        room -= 1
        copyWrite(add, out)
      } else dropped += 1
    }
    if (add.k !== undefined) {
      const children: Record<string, TraitNode> = {}
      let count = 0
      for (const [key, child] of Object.entries(add.k)) {
        const kept = walk(
          have?.k !== undefined && Object.hasOwn(have.k, key) ? have.k[key] : undefined,
          child,
        )
        if (!hasWrite(kept) && kept.k === undefined) continue
        children[key] = kept
        count += 1
      }
      if (count > 0) out.k = children
    }
    return out
  }
  return { tree: walk(existing, incoming), dropped }
}
