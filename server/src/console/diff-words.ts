import type { ConfigDiff, ListDiff } from '../config-versions/config-diff.ts'

/**
 * One line of a config diff in words, with the item it is about (so a page can link to it) and
 * the lines under it (a changed experience's variations).
 */
export interface DiffLine {
  text: string
  item?: { list: 'segments' | 'experiences'; id: string; removed: boolean }
  children?: DiffLine[]
}

/**
 * A diff as lines a marketer reads: `Segment vip added`, `Experience hero changed: holdout,
 * variations` with `Variation b added` under it. Pure: the version pages (server) and the
 * publish step (the editor's script) show the same words.
 */
export function diffInWords(diff: ConfigDiff): DiffLine[] {
  const lines: DiffLine[] = []
  if (diff.settings.includes('attributionWindowDays')) {
    lines.push({ text: 'Attribution window changed' })
  }
  lines.push(...listLines('Segment', 'segments', diff.segments))
  lines.push(
    ...listLines('Experience', 'experiences', diff.experiences, (change) =>
      change.variations === undefined ? undefined : listLines('Variation', null, change.variations),
    ),
  )
  return lines
}

function listLines<C extends { id: string; fields: string[] }>(
  noun: string,
  list: 'segments' | 'experiences' | null,
  diff: ListDiff<C>,
  under?: (change: C) => DiffLine[] | undefined,
): DiffLine[] {
  const item = (id: string, removed: boolean) =>
    list === null ? {} : { item: { list, id, removed } }
  const lines: DiffLine[] = [
    ...diff.added.map((id) => ({ text: `${noun} ${id} added`, ...item(id, false) })),
    ...diff.removed.map((id) => ({ text: `${noun} ${id} removed`, ...item(id, true) })),
    ...diff.changed.map((change) => {
      const children = under?.(change)
      return {
        text: `${noun} ${change.id} changed: ${change.fields.join(', ')}`,
        ...item(change.id, false),
        ...(children === undefined ? {} : { children }),
      }
    }),
  ]
  if (diff.reordered) {
    const why = noun === 'Experience' ? ' (the order breaks ties of priority)' : ''
    lines.push({ text: `${noun}s reordered${why}` })
  }
  return lines
}
