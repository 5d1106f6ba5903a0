/*
 * The experience editor's conversions between what a marketer types and the config's JSON.
 * Pure. An untouched field keeps its value exactly: these run only on what was typed.
 */

/** The holdout share (0..1) as a percentage to show: `0.1` is `10`. */
export function percentText(share: unknown): string {
  if (typeof share !== 'number' || !Number.isFinite(share)) return ''
  return String(Number((share * 100).toFixed(6)))
}

/**
 * The share a typed percentage stands for (`10` is `0.1`); nothing for an empty input (the
 * loader's default, 0); a text that is no number stays text, for the loader to name.
 */
export function shareFromPercent(text: string): number | string | undefined {
  const trimmed = text.trim()
  if (trimmed === '') return undefined
  const number = Number(trimmed)
  return Number.isFinite(number) ? Number((number / 100).toFixed(8)) : trimmed
}

/** A typed number: nothing when empty (the field's default applies), text when it is no number. */
export function numberFromText(text: string): number | string | undefined {
  const trimmed = text.trim()
  if (trimmed === '') return undefined
  const number = Number(trimmed)
  return Number.isFinite(number) ? number : trimmed
}

/** A list shown one item per line. */
export function linesText(list: unknown): string {
  return Array.isArray(list) ? list.map(String).join('\n') : ''
}

/** The items of a text typed one per line, blank lines left out. */
export function linesList(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
}

/** A variation as the editor needs it (its JSON, possibly incomplete). */
export interface VariationDraft {
  id?: unknown
  weight?: unknown
  paused?: unknown
  content?: unknown
  [key: string]: unknown
}

/**
 * The share of the audience each variation gets among visitors not bucketed yet (0..1), in
 * order: the holdout first, then the rest by weight among variations not paused. A variation's
 * weight defaults to 1; a paused one takes no new visitors.
 */
export function trafficShares(holdout: unknown, variations: readonly VariationDraft[]): number[] {
  const kept = typeof holdout === 'number' && holdout >= 0 && holdout < 1 ? holdout : 0
  const weights = variations.map((variation) => {
    if (variation.paused === true) return 0
    const weight = variation.weight === undefined ? 1 : variation.weight
    return typeof weight === 'number' && weight > 0 ? weight : 0
  })
  const total = weights.reduce((sum, weight) => sum + weight, 0)
  return weights.map((weight) => (total === 0 ? 0 : ((1 - kept) * weight) / total))
}

/** A slot's content as ordered rows (the page's slot name and its template). */
export function slotRows(content: unknown): [slot: string, template: string][] {
  if (typeof content !== 'object' || content === null || Array.isArray(content)) return []
  return Object.entries(content as Record<string, unknown>).map(([slot, template]) => [
    slot,
    typeof template === 'string' ? template : '',
  ])
}

/**
 * The content with slot `from` renamed `to`, in the same place; `taken` when another slot
 * already has that name (the rename would lose one of them).
 */
export function renameSlot(
  content: Record<string, string>,
  from: string,
  to: string,
): Record<string, string> | 'taken' {
  if (from === to) return content
  if (Object.hasOwn(content, to)) return 'taken'
  return Object.fromEntries(
    Object.entries(content).map(([slot, template]) => [slot === from ? to : slot, template]),
  )
}

/** A name for a new item that no item of `taken` has: `base`, else `base-2`, `base-3`… */
export function freshId(base: string, taken: readonly unknown[]): string {
  const ids = new Set(taken)
  if (!ids.has(base)) return base
  for (let n = 2; ; n++) if (!ids.has(`${base}-${n}`)) return `${base}-${n}`
}

/** What a new experience starts as: a draft, on every page, one variation, no content yet. */
export function newExperience(id: string): { id: string; [key: string]: unknown } {
  return {
    id,
    segments: [],
    pages: [],
    priority: 0,
    holdout: 0.1,
    goals: [],
    status: 'draft',
    variations: [{ id: 'variation-1', weight: 1, content: {} }],
  }
}
