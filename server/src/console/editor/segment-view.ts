import { count } from '../format.ts'
import { dependsOnVisit, ruleInWords, type RuleWords } from '../rule-words.ts'
import type { Rule } from '../../personalization/rule-types.ts'
import { api, ApiError } from './api.ts'
import type { CustomKind } from './attribute-kinds.ts'
import { debounce, h, replace } from './dom.ts'
import type { DraftItem } from './draft-merge.ts'
import type { EditorState } from './editor-state.ts'
import { field } from './field-issues.ts'
import { failure } from './failure.ts'
import { itemEditor, type ItemContext } from './item-editor.ts'
import { newCondition, type RuleDraft } from './rule-tree.ts'
import { ruleView } from './rule-view.ts'

/** A new segment: no id yet, one condition to fill in. */
function freshSegment(): DraftItem {
  return { id: '', rule: { all: [newCondition()] } }
}

function wordsList(words: RuleWords): HTMLElement {
  return h(
    'li',
    {},
    words.text,
    words.children === undefined ? null : h('ul', {}, words.children.map(wordsList)),
  )
}

/**
 * The segment builder: id, description, the rule as nested conditions and groups, the rule in
 * words, and the audience size now (debounced, from `POST /console/api/audience`).
 */
export function segmentView(root: HTMLElement, state: EditorState, id: string | undefined): void {
  const kinds = new WeakMap<object, CustomKind>()
  const words = h('ul', { class: 'rule' })
  const size = h('p', { class: 'audience-size' }, 'Counting…')
  const audience = h(
    'section',
    { class: 'card', 'aria-labelledby': 'audience-heading' },
    h('h2', { id: 'audience-heading' }, 'Audience now'),
    h('div', { role: 'status', 'aria-live': 'polite' }, size),
  )
  let counts = 0
  const measure = debounce(() => {
    const mine = (counts += 1)
    const rule = current?.rule
    size.textContent = 'Counting…'
    api.audience(rule).then(
      (answer) => {
        if (mine !== counts) return
        const range = answer.exact
          ? `${count(answer.estimate)} of ${count(answer.total)} profiles`
          : `≈ ${count(answer.estimate)} (${count(answer.low)}–${count(answer.high)}) of ${count(answer.total)} profiles, estimated from a sample of ${count(answer.sampled)}`
        replace(
          size,
          h('strong', {}, range),
          dependsOnVisit(rule as Rule)
            ? ' (page and device conditions counted as on a bare page from a desktop)'
            : '',
        )
      },
      (error: unknown) => {
        if (mine !== counts) return
        size.textContent =
          error instanceof ApiError && error.code === 'invalid_config'
            ? 'Fix the rule to see its audience.'
            : failure(error)
      },
    )
  }, 400)
  let current: DraftItem | undefined
  let measured = false

  const body = (context: ItemContext) => {
    const segment = context.item
    current = segment
    const rule = segment.rule as RuleDraft
    const text = (key: 'id' | 'description') =>
      h('input', {
        value: typeof segment[key] === 'string' ? segment[key] : '',
        disabled: !context.editable,
        autocomplete: 'off',
        spellcheck: key === 'id' ? 'false' : 'true',
        oninput: (event: Event) => {
          const value = (event.target as HTMLInputElement).value
          if (key === 'description' && value === '') delete segment.description
          else segment[key] = value
          context.changed()
        },
      })
    return [
      h(
        'div',
        { class: 'item-fields' },
        field({
          label: 'Segment id',
          control: text('id'),
          hint: 'Letters, digits, _ . - (experiences name it)',
          path: [...context.at, 'id'],
          issues: context.issues,
        }),
        field({
          label: 'Description (optional)',
          control: text('description'),
          path: [...context.at, 'description'],
          issues: context.issues,
        }),
      ),
      ruleView({
        rule,
        at: [...context.at, 'rule'],
        editable: context.editable,
        issues: context.issues,
        kinds,
        onInput: context.changed,
        onRedraw: (next, focus) => {
          segment.rule = next
          context.redraw(focus)
        },
      }),
      audience,
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'words-heading' },
        h('h2', { id: 'words-heading' }, 'In words'),
        words,
      ),
    ]
  }

  itemEditor({
    root,
    state,
    list: 'segments',
    id,
    fresh: freshSegment,
    body,
    afterChange: (context) => {
      replace(words, wordsList(ruleInWords(context.item.rule as Rule)))
      measure()
      // The first count at once; later ones wait until typing pauses.
      if (!measured) measure.flush()
      measured = true
    },
  })
}
