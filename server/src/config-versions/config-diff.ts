import type {
  ExperienceConfig,
  PersonalizationConfig,
  SegmentConfig,
  VariationConfig,
} from '../personalization/config-schema.ts'

/** One item that changed, and which of its fields (`rule`, `holdout`, `content.hero-title`). */
export interface ItemChange {
  id: string
  fields: string[]
}

/** What changed in a list of items with ids. */
export interface ListDiff<Change extends ItemChange = ItemChange> {
  added: string[]
  removed: string[]
  changed: Change[]
  /** Whether the items both sides hold are in another order (it breaks priority ties). */
  reordered: boolean
}

/** An experience that changed; `variations` says how, when they did. */
export interface ExperienceChange extends ItemChange {
  variations?: ListDiff
}

/**
 * The difference between two configs: the top-level settings that changed, and which segments
 * and experiences were added, removed or changed (and for a change, which fields).
 */
export interface ConfigDiff {
  /** Top-level fields that changed (`attributionWindowDays`). */
  settings: string[]
  segments: ListDiff
  experiences: ListDiff<ExperienceChange>
  /** True when the two configs are the same. */
  unchanged: boolean
}

const experienceFields = [
  'description',
  'segments',
  'pages',
  'priority',
  'holdout',
  'goals',
  'status',
  'winner',
  'concludedAt',
] as const

/**
 * Compares two validated configs (pure). `before` undefined compares with an empty config: the
 * first version adds everything.
 */
export function diffConfigs(
  before: PersonalizationConfig | undefined,
  after: PersonalizationConfig,
): ConfigDiff {
  const old = before ?? {
    attributionWindowDays: after.attributionWindowDays,
    segments: [],
    experiences: [],
  }
  const settings =
    old.attributionWindowDays === after.attributionWindowDays ? [] : ['attributionWindowDays']
  const segments = diffList(old.segments, after.segments, segmentFields)
  const experiences = diffList(old.experiences, after.experiences, experienceChange)
  return {
    settings,
    segments,
    experiences,
    unchanged: settings.length === 0 && isEmpty(segments) && isEmpty(experiences),
  }
}

/**
 * One line for a person: `experience hero changed (status, variations); segment vip added`.
 * `no change` when there is none.
 */
export function summarizeDiff(diff: ConfigDiff): string {
  const parts: string[] = []
  if (diff.settings.length > 0) parts.push(`${diff.settings.join(', ')} changed`)
  const describe = (noun: string, list: ListDiff) => {
    for (const id of list.added) parts.push(`${noun} ${id} added`)
    for (const id of list.removed) parts.push(`${noun} ${id} removed`)
    for (const change of list.changed)
      parts.push(`${noun} ${change.id} changed (${change.fields.join(', ')})`)
    if (list.reordered) parts.push(`${noun}s reordered`)
  }
  describe('segment', diff.segments)
  describe('experience', diff.experiences)
  return parts.length === 0 ? 'no change' : parts.join('; ')
}

function isEmpty(list: ListDiff): boolean {
  return (
    list.added.length === 0 &&
    list.removed.length === 0 &&
    list.changed.length === 0 &&
    !list.reordered
  )
}

function diffList<T extends { id: string }, Change extends ItemChange>(
  before: readonly T[],
  after: readonly T[],
  compare: (old: T, next: T) => Change | undefined,
): ListDiff<Change> {
  const old = new Map(before.map((item) => [item.id, item]))
  const next = new Set(after.map((item) => item.id))
  const changed: Change[] = []
  for (const item of after) {
    const previous = old.get(item.id)
    if (previous === undefined) continue
    const change = compare(previous, item)
    if (change !== undefined) changed.push(change)
  }
  const commonBefore = before.map((item) => item.id).filter((id) => next.has(id))
  const commonAfter = after.map((item) => item.id).filter((id) => old.has(id))
  return {
    added: after.filter((item) => !old.has(item.id)).map((item) => item.id),
    removed: before.filter((item) => !next.has(item.id)).map((item) => item.id),
    changed,
    reordered: commonBefore.some((id, index) => commonAfter[index] !== id),
  }
}

function segmentFields(old: SegmentConfig, next: SegmentConfig): ItemChange | undefined {
  const fields = (['description', 'rule'] as const).filter(
    (field) => !sameJson(old[field], next[field]),
  )
  return fields.length === 0 ? undefined : { id: next.id, fields }
}

function experienceChange(
  old: ExperienceConfig,
  next: ExperienceConfig,
): ExperienceChange | undefined {
  const fields: string[] = experienceFields.filter((field) => !sameJson(old[field], next[field]))
  const variations = diffList(old.variations, next.variations, variationFields)
  if (!isEmpty(variations)) fields.push('variations')
  if (fields.length === 0) return undefined
  return { id: next.id, fields, ...(isEmpty(variations) ? {} : { variations }) }
}

function variationFields(old: VariationConfig, next: VariationConfig): ItemChange | undefined {
  const fields: string[] = (['description', 'weight', 'paused'] as const).filter(
    (field) => !sameJson(old[field], next[field]),
  )
  const slots = [...new Set([...Object.keys(old.content), ...Object.keys(next.content)])].sort()
  for (const slot of slots) {
    if (old.content[slot] !== next.content[slot]) fields.push(`content.${slot}`)
  }
  return fields.length === 0 ? undefined : { id: next.id, fields }
}

/** Deep equality of JSON values, whatever the order of their keys. */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b)
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, child]) => child !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([key, child]) => `${JSON.stringify(key)}:${canonical(child)}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'undefined'
}
