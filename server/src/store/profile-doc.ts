import type { AccountLink, Profile, VisitorStats } from '../profile/profile.ts'
import type { Json } from '../traits/json.ts'
import type { TraitNode } from '../traits/trait-tree.ts'

/*
 * A profile's document column, compact: `[2, link, clocks, traits, visitor]`, every time in it
 * counted from the profile's `created_at` (its own column), so a new profile's times are `0`.
 * - `link`: the account link without its id, which the row's `account_id` column holds:
 *   `null` or `[source, at]`.
 * - `clocks`: the distinct event times of the trait writes, the most used first; each write
 *   names its time by index. A write becomes `[i]` (a deletion), `[i, value]`,
 *   `[i, value, children]` or `[i, children]`, and a scalar written at clock 0 is just the
 *   scalar; a node without a write is its children object. Twenty traits set by one call share
 *   clock 0, so the `{"t":1764…,"v":"pro"}` of every leaf shrinks to `"pro"`.
 * - `visitor`: `[firstSeenAt, lastSeenAt - firstSeenAt, pageViews, events, rest]` where `rest`
 *   holds the optional counters, if any.
 * Documents of the first format (`{account, traits, visitor}`) and of version 1 (the same array
 * with times since the epoch) still read; a profile is stored in version 2 at its next write.
 */

type Doc = Pick<Profile, 'account' | 'traits' | 'visitor'>

const version = 2

/**
 * The document text of a profile; `account_id` must hold `profile.account.id` and `created_at`
 * `profile.createdAt` (its times are counted from it).
 */
export function encodeProfileDoc(profile: Doc & Pick<Profile, 'createdAt'>): string {
  const base = profile.createdAt
  const uses = new Map<number, number>()
  countTimes(profile.traits, uses)
  const times = [...uses].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([time]) => time)
  const index = new Map(times.map((time, i) => [time, i]))
  const link = profile.account === null ? null : [profile.account.source, profile.account.at - base]
  const { firstSeenAt, lastSeenAt, pageViews, events, ...rest } = profile.visitor
  const visitor: unknown[] = [firstSeenAt - base, lastSeenAt - firstSeenAt, pageViews, events]
  if (Object.keys(rest).length > 0) visitor.push(rest)
  return JSON.stringify([
    version,
    link,
    times.map((time) => time - base),
    encodeNode(profile.traits, index),
    visitor,
  ])
}

/**
 * A profile's document from its text, in any format; `accountId` and `createdAt` are the row's
 * columns.
 */
export function decodeProfileDoc(text: string, accountId: string | null, createdAt: number): Doc {
  const parsed = JSON.parse(text) as unknown
  if (!Array.isArray(parsed)) return parsed as Doc
  const [format, link, offsets, traits, visitor] = parsed as [
    number,
    [AccountLink['source'], number] | null,
    number[],
    unknown,
    [number, number, number, number, Partial<VisitorStats>?],
  ]
  // Version 1 kept times since the epoch.
  const base = format === 1 ? 0 : createdAt
  const [firstSeen, lastSpan, pageViews, events, rest] = visitor
  const firstSeenAt = firstSeen + base
  return {
    account: link === null ? null : { id: accountId, source: link[0], at: link[1] + base },
    traits: decodeNode(
      traits,
      offsets.map((offset) => offset + base),
    ),
    visitor: { firstSeenAt, lastSeenAt: firstSeenAt + lastSpan, pageViews, events, ...rest },
  }
}

function countTimes(node: TraitNode, uses: Map<number, number>): void {
  if (node.t !== undefined) uses.set(node.t, (uses.get(node.t) ?? 0) + 1)
  for (const child of Object.values(node.k ?? {})) countTimes(child, uses)
}

function encodeNode(node: TraitNode, index: Map<number, number>): unknown {
  const children =
    node.k === undefined
      ? undefined
      : Object.fromEntries(
          Object.entries(node.k).map(([key, child]) => [key, encodeNode(child, index)]),
        )
  if (node.t === undefined) return children ?? {}
  const clock = index.get(node.t) ?? 0
  if (clock === 0 && children === undefined && isScalar(node.v)) return node.v
  const write: unknown[] = [clock]
  if ('v' in node) write.push(node.v)
  if (children !== undefined) write.push(children)
  return write
}

function decodeNode(encoded: unknown, times: readonly number[]): TraitNode {
  if (isScalar(encoded)) return { t: times[0] ?? 0, v: encoded }
  if (!Array.isArray(encoded)) return decodeChildren(encoded as Record<string, unknown>, times)
  const [clock, ...rest] = encoded as [number, ...unknown[]]
  const node: TraitNode = { t: times[clock] ?? 0 }
  // A plain object after the clock is the children; anything else is the written value (a
  // written value is never a plain object).
  const last = rest.at(-1)
  const hasChildren = rest.length > 0 && isPlainObject(last)
  const value = hasChildren ? rest.slice(0, -1) : rest
  if (value.length > 0) node.v = value[0] as Json
  if (hasChildren) node.k = decodeChildren(last as Record<string, unknown>, times).k ?? {}
  return node
}

function decodeChildren(encoded: Record<string, unknown>, times: readonly number[]): TraitNode {
  let children: Record<string, TraitNode> | undefined
  // A loop, not entries and fromEntries: every read of a profile decodes each of its traits.
  for (const key in encoded) {
    children ??= {}
    const child = decodeNode(encoded[key], times)
    // `__proto__` is never stored (the edge strips it), but defining it keeps it a plain key.
    if (key === '__proto__') {
      Object.defineProperty(children, key, { value: child, enumerable: true, writable: true })
    } else {
      children[key] = child
    }
  }
  return children === undefined ? {} : { k: children }
}

/** A written value that is neither an array nor an object (`null` is never written). */
function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
}

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
