import { sameJson } from '../../config-versions/config-diff.ts'

/*
 * A draft is a whole config document, edited in the browser from one version (its base). Pure
 * functions over drafts: which items a draft changes, and carrying a draft's changes onto a newer
 * version after someone else published (a three-way merge by item id).
 */

/** A config document as the editor holds it: possibly incomplete, checked by the loader. */
export interface DraftDocument {
  attributionWindowDays?: unknown
  segments?: DraftItem[]
  experiences?: DraftItem[]
  [key: string]: unknown
}

/** A segment or an experience: an object with an id (maybe still empty while typed). */
export interface DraftItem {
  id: string
  [key: string]: unknown
}

/** The two lists of items a config holds. */
export const itemLists = ['segments', 'experiences'] as const
export type ItemList = (typeof itemLists)[number]

/** One item a draft adds, removes or changes against its base. */
export interface ItemChange {
  list: ItemList
  id: string
  change: 'added' | 'removed' | 'changed'
}

/** The items of a list (none when the document has no such list). */
export function itemsOf(document: DraftDocument, list: ItemList): DraftItem[] {
  const items = document[list]
  return Array.isArray(items) ? items : []
}

/**
 * What `draft` changes against `base`, item by item (and the attribution window). The order of
 * items is not counted: the publish step's diff (from the server) says when it changed.
 */
export function changedItems(base: DraftDocument, draft: DraftDocument): ItemChange[] {
  const changes: ItemChange[] = []
  for (const list of itemLists) {
    const before = byId(itemsOf(base, list))
    const after = byId(itemsOf(draft, list))
    for (const [id, item] of after) {
      const old = before.get(id)
      if (old === undefined) changes.push({ list, id, change: 'added' })
      else if (!sameJson(old, item)) changes.push({ list, id, change: 'changed' })
    }
    for (const id of before.keys()) {
      if (!after.has(id)) changes.push({ list, id, change: 'removed' })
    }
  }
  return changes
}

/** Whether a draft differs from its base at all. */
export function hasChanges(base: DraftDocument, draft: DraftDocument): boolean {
  return !sameJson(base, draft)
}

/** A draft carried onto a newer version, and the items both sides changed. */
export interface Rebased {
  document: DraftDocument
  /** Items both the draft and the newer version changed, differently: the draft's is kept. */
  overlaps: ItemChange[]
}

/**
 * Carries the changes `mine` made to `base` onto `theirs` (a version published since): an item
 * only I changed (or added, or removed) takes my side; one only they changed takes theirs; one
 * we both changed differently keeps mine and is listed in `overlaps`, so the publish step can say
 * so. Items keep their order in `theirs`; the ones I added follow, in my order.
 */
export function rebaseDraft(
  base: DraftDocument,
  mine: DraftDocument,
  theirs: DraftDocument,
): Rebased {
  const overlaps: ItemChange[] = []
  const document: DraftDocument = { ...theirs }
  // Settings (the attribution window): mine where I changed them.
  for (const key of new Set([...Object.keys(mine), ...Object.keys(base)])) {
    if ((itemLists as readonly string[]).includes(key) || sameJson(mine[key], base[key])) continue
    if (mine[key] === undefined) delete document[key]
    else document[key] = mine[key]
  }
  for (const list of itemLists) {
    const before = byId(itemsOf(base, list))
    const after = byId(itemsOf(mine, list))
    const merged: DraftItem[] = []
    for (const item of itemsOf(theirs, list)) {
      const old = before.get(item.id)
      const own = after.get(item.id)
      if (sameJson(own, old)) {
        merged.push(item) // untouched by me: theirs
        continue
      }
      if (!sameJson(item, old) && !sameJson(own, item)) {
        overlaps.push({ list, id: item.id, change: 'changed' })
      }
      if (own !== undefined) merged.push(own) // changed by me (or removed: left out)
    }
    const taken = new Set(merged)
    const theirIds = new Set(itemsOf(theirs, list).map((item) => item.id))
    for (const item of itemsOf(mine, list)) {
      if (taken.has(item)) continue
      const old = before.get(item.id)
      if (old !== undefined && sameJson(old, item)) continue // they removed it, I left it alone
      if (old !== undefined && !theirIds.has(item.id)) {
        overlaps.push({ list, id: item.id, change: 'changed' }) // they removed what I changed
      }
      merged.push(item)
    }
    if (merged.length > 0 || document[list] !== undefined) document[list] = merged
  }
  return { document, overlaps }
}

function byId(items: readonly DraftItem[]): Map<string, DraftItem> {
  const map = new Map<string, DraftItem>()
  for (const item of items) if (!map.has(item.id)) map.set(item.id, item)
  return map
}
