import { describe, expect, it } from 'vitest'
import { diffConfigs } from '../../server/src/config-versions/config-diff.ts'
import { validatePersonalizationConfig } from '../../server/src/personalization/load-config.ts'
import { diffInWords } from '../../server/src/console/diff-words.ts'
import {
  changedItems,
  hasChanges,
  rebaseDraft,
  type DraftDocument,
} from '../../server/src/console/editor/draft-merge.ts'
import {
  freshId,
  linesList,
  linesText,
  numberFromText,
  percentText,
  renameSlot,
  shareFromPercent,
  slotRows,
  trafficShares,
} from '../../server/src/console/editor/experience-form.ts'
import {
  encloses,
  fieldForIssue,
  splitIssues,
} from '../../server/src/console/editor/issue-fields.ts'
import { headlineConfig } from '../helpers/config-documents.ts'

const segment = (id: string, value = 0) => ({
  id,
  rule: { attribute: 'visitor.pageViews', operator: 'gte', value },
})
const experience = (id: string, holdout = 0) => ({
  id,
  holdout,
  variations: [{ id: 'a', content: { 'hero-title': id } }],
})
const doc = (
  segments: ReturnType<typeof segment>[],
  experiences: ReturnType<typeof experience>[],
): DraftDocument => ({ attributionWindowDays: 7, segments, experiences })

describe('a draft against its base', () => {
  const base = doc([segment('a'), segment('b')], [experience('x')])

  it('lists the items it adds, removes and changes, whatever their order', () => {
    const draft = doc([segment('b'), segment('a', 5), segment('c')], [])
    expect(changedItems(base, draft)).toEqual([
      { list: 'segments', id: 'a', change: 'changed' },
      { list: 'segments', id: 'c', change: 'added' },
      { list: 'experiences', id: 'x', change: 'removed' },
    ])
    expect(hasChanges(base, structuredClone(base))).toBe(false)
    expect(hasChanges(base, { ...base, segments: [segment('b'), segment('a')] })).toBe(true)
  })
})

describe('carrying a draft onto a version published since', () => {
  const base = doc([segment('a'), segment('b')], [experience('x'), experience('y')])

  it('keeps their change and mine when we changed different items', () => {
    const mine = doc([segment('a', 5), segment('b')], [experience('x'), experience('y')])
    const theirs = doc([segment('a'), segment('b')], [experience('x', 0.2), experience('y')])
    const { document, overlaps } = rebaseDraft(base, mine, theirs)
    expect(document).toEqual(
      doc([segment('a', 5), segment('b')], [experience('x', 0.2), experience('y')]),
    )
    expect(overlaps).toEqual([])
  })

  it('keeps my version of an item we both changed, and names it', () => {
    const mine = doc([segment('a', 5), segment('b')], [experience('x')])
    const theirs = doc([segment('a', 9), segment('b')], [experience('x'), experience('y')])
    const { document, overlaps } = rebaseDraft(base, mine, theirs)
    // My removal of y stands; their unchanged x stays; a is mine and is named.
    expect(document.segments).toEqual([segment('a', 5), segment('b')])
    expect(document.experiences).toEqual([experience('x')])
    expect(overlaps).toEqual([{ list: 'segments', id: 'a', change: 'changed' }])
  })

  it('names an item I changed that they removed, and keeps mine', () => {
    const mine = doc([segment('a'), segment('b', 3)], [experience('x'), experience('y')])
    const theirs = doc([segment('a')], [experience('x'), experience('y')])
    const { document, overlaps } = rebaseDraft(base, mine, theirs)
    expect(document.segments).toEqual([segment('a'), segment('b', 3)])
    expect(overlaps).toEqual([{ list: 'segments', id: 'b', change: 'changed' }])
  })

  it('adds what they and I added, theirs first; drops what they removed and I left alone', () => {
    const mine = doc(
      [segment('a'), segment('b'), segment('mine')],
      [experience('x'), experience('y')],
    )
    const theirs = doc([segment('b'), segment('theirs')], [experience('x'), experience('y')])
    const { document, overlaps } = rebaseDraft(base, mine, theirs)
    expect(document.segments).toEqual([segment('b'), segment('theirs'), segment('mine')])
    expect(overlaps).toEqual([])
  })

  it('keeps a new item with no id yet, and my change of a setting', () => {
    const mine: DraftDocument = {
      ...doc([segment('a'), segment('b'), segment('')], [experience('x'), experience('y')]),
      attributionWindowDays: 14,
    }
    const theirs = doc([segment('a'), segment('b')], [experience('x'), experience('y', 0.5)])
    const { document } = rebaseDraft(base, mine, theirs)
    expect(document.attributionWindowDays).toBe(14)
    expect(document.segments).toEqual([segment('a'), segment('b'), segment('')])
    expect(document.experiences).toEqual([experience('x'), experience('y', 0.5)])
  })

  it('is their version when I changed nothing', () => {
    const theirs = doc([segment('z')], [experience('y', 0.3)])
    expect(rebaseDraft(base, structuredClone(base), theirs)).toEqual({
      document: theirs,
      overlaps: [],
    })
  })
})

describe('where a problem of the loader is shown', () => {
  const fields = [
    ['segments', 0],
    ['segments', 0, 'id'],
    ['segments', 0, 'rule', 'all'],
    ['segments', 0, 'rule', 'all', 1, 'value'],
    ['experiences', 0, 'pages'],
  ]

  it('at the field of its path, else of the nearest enclosing one', () => {
    expect(fieldForIssue(['segments', 0, 'id'], fields)).toBe(1)
    expect(fieldForIssue(['segments', 0, 'rule', 'all', 1, 'value'], fields)).toBe(3)
    // An item of a list goes to the list's field; an operator without its own field to its group.
    expect(fieldForIssue(['experiences', 0, 'pages', 2], fields)).toBe(4)
    expect(fieldForIssue(['segments', 0, 'rule', 'all', 1, 'operator'], fields)).toBe(2)
    expect(fieldForIssue(['segments', 0, 'description'], fields)).toBe(0)
    expect(fieldForIssue(['experiences', 1, 'id'], fields)).toBe(-1)
  })

  it('tells one item’s problems from the others', () => {
    const issues = [
      { path: 'segments[0].id', at: ['segments', 0, 'id'], message: 'bad id' },
      { path: 'segments[1].id', at: ['segments', 1, 'id'], message: 'bad id' },
      { path: 'segments[10]', at: ['segments', 10], message: 'no' },
    ]
    const { inside, outside } = splitIssues(issues, ['segments', 1])
    expect(inside.map((issue) => issue.path)).toEqual(['segments[1].id'])
    expect(outside.map((issue) => issue.path)).toEqual(['segments[0].id', 'segments[10]'])
    expect(encloses(['segments', 1], ['segments', 10])).toBe(false)
  })

  it('uses the paths the loader answers (a real broken draft)', () => {
    const result = validatePersonalizationConfig(headlineConfig('x', { holdout: 1 }))
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(fieldForIssue(result.issues[0]?.at ?? [], [['experiences', 0, 'holdout']])).toBe(0)
  })
})

describe('the experience editor’s conversions', () => {
  it('shows the holdout as a percentage and reads one back as a share', () => {
    expect(percentText(0.1)).toBe('10')
    expect(percentText(0.07)).toBe('7')
    expect(percentText(undefined)).toBe('')
    expect(shareFromPercent('7')).toBe(0.07)
    expect(shareFromPercent('12.5')).toBe(0.125)
    expect(shareFromPercent('')).toBeUndefined()
    expect(shareFromPercent('half')).toBe('half')
    for (const share of [0, 0.01, 0.1, 0.15, 0.333, 0.5, 0.99]) {
      expect(shareFromPercent(percentText(share))).toBe(share)
    }
  })

  it('reads numbers, and lists one item per line', () => {
    expect(numberFromText(' 10 ')).toBe(10)
    expect(numberFromText('')).toBeUndefined()
    expect(numberFromText('ten')).toBe('ten')
    expect(linesList('/pricing*\n\n  /docs/* \n')).toEqual(['/pricing*', '/docs/*'])
    expect(linesText(['/a', '/b'])).toBe('/a\n/b')
    expect(linesText(undefined)).toBe('')
  })

  it('says which share of new visitors each variation gets', () => {
    const shares = trafficShares(0.1, [
      { id: 'a', weight: 2 },
      { id: 'b' },
      { id: 'c', weight: 3, paused: true },
      { id: 'd', weight: 0 },
    ])
    expect(shares.map((share) => Number(share.toFixed(4)))).toEqual([0.6, 0.3, 0, 0])
    expect(trafficShares('half', [{ id: 'a' }])).toEqual([1])
    expect(trafficShares(0, [{ id: 'a', paused: true }])).toEqual([0])
  })

  it('renames a slot in its place, and refuses a name another slot has', () => {
    const content = { 'hero-title': 'A', 'hero-cta': 'B' }
    expect(Object.entries(renameSlot(content, 'hero-title', 'headline'))).toEqual([
      ['headline', 'A'],
      ['hero-cta', 'B'],
    ])
    expect(renameSlot(content, 'hero-title', 'hero-cta')).toBe('taken')
    expect(renameSlot(content, 'hero-title', 'hero-title')).toBe(content)
    expect(slotRows(content)).toEqual([
      ['hero-title', 'A'],
      ['hero-cta', 'B'],
    ])
    expect(slotRows(null)).toEqual([])
  })

  it('names a new item so it clashes with none', () => {
    expect(freshId('variation-2', ['variation-1'])).toBe('variation-2')
    expect(freshId('new', ['new', 'new-2'])).toBe('new-3')
  })
})

describe('a diff in words', () => {
  it('says what was added, removed and changed, with the item to link to', () => {
    const before = validatePersonalizationConfig(headlineConfig('Old'))
    const after = validatePersonalizationConfig({
      ...headlineConfig('New', { holdout: 0.2, segments: [] }),
      attributionWindowDays: 3,
      segments: [{ id: 'vip', rule: { attribute: 'user.plan', operator: 'equal', value: 'vip' } }],
    })
    if (!before.ok || !after.ok) throw new Error('the configs are valid')
    const lines = diffInWords(diffConfigs(before.config, after.config))
    expect(lines).toEqual([
      { text: 'Attribution window changed' },
      { text: 'Segment vip added', item: { list: 'segments', id: 'vip', removed: false } },
      {
        text: 'Segment everyone removed',
        item: { list: 'segments', id: 'everyone', removed: true },
      },
      {
        text: 'Experience hero changed: segments, holdout, variations',
        item: { list: 'experiences', id: 'hero', removed: false },
        children: [
          { text: 'Variation headline changed: content.hero-title' },
          { text: 'Variation other changed: content.hero-title' },
        ],
      },
    ])
  })
})
