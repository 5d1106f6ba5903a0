import { api } from './api.ts'
import { h, replace, uid, type Child } from './dom.ts'
import { failure } from './failure.ts'
import { itemsOf, type DraftItem } from './draft-merge.ts'
import type { EditorState } from './editor-state.ts'
import {
  freshId,
  linesList,
  linesText,
  newExperience,
  numberFromText,
  percentText,
  renameSlot,
  shareFromPercent,
  slotRows,
  trafficShares,
  type VariationDraft,
} from './experience-form.ts'
import { field, type Control } from './field-issues.ts'
import { confirmButton, itemEditor, LiveName, type ItemContext } from './item-editor.ts'
import type { ConfigIssue, IssuePath } from './issue-fields.ts'
import { impactList } from './impact-list.ts'
import { previewPanel } from './preview-panel.ts'

const statuses = {
  draft: 'Never shown, never counted: its slots stay free for other experiences.',
  running: 'Shown to its audience and counted.',
  paused: 'Not shown and not counted; everyone keeps their variation for when it resumes.',
  concluded:
    'Everyone in its audience sees the winner (the holdout too); nothing more is counted and its report is frozen.',
} as const

const templateHint =
  'Plain text; {{company.name | "teams like yours"}} inserts a value, or the text in quotes when it is missing. Without a fallback, a missing value hides the slot.'

/** `45 %` */
function percent(share: number): string {
  return `${Number((share * 100).toFixed(1))} %`
}

/**
 * The experience editor: who (segments) and where (page patterns), priority, holdout, goals,
 * status with its winner, variations with weights, pauses and content per slot; what a change
 * does to visitors who already have a variation (the impacts `POST /console/api/diff` answers);
 * and a preview of the draft.
 */
export function experienceView(
  root: HTMLElement,
  state: EditorState,
  id: string | undefined,
): void {
  const shareTexts: { variation: VariationDraft; element: HTMLElement }[] = []
  const impacts = h('div', { role: 'status', 'aria-live': 'polite' })
  const impactsSection = h(
    'section',
    { class: 'card', 'aria-labelledby': 'impacts-heading' },
    h('h2', { id: 'impacts-heading' }, 'What your change does to visitors'),
    h(
      'p',
      { class: 'muted' },
      'Visitors who already saw a variation keep it when you change weights or the holdout: only visitors who have not seen this experience yet are split by the new shares. Removing a variation moves its visitors (publishing asks you to confirm). A paused variation’s visitors see the page’s default until it resumes.',
    ),
    impacts,
  )
  let current: DraftItem | undefined
  let asked = 0
  /** What publishing the draft would do to this experience's visitors (a valid draft only). */
  const showImpacts = (valid: boolean) => {
    const experience = current
    if (experience === undefined) return
    const mine = (asked += 1)
    if (!itemsOf(state.base, 'experiences').some((e) => e.id === experience.id)) {
      replace(impacts, h('p', {}, 'A new experience: nobody has seen it yet.'))
      return
    }
    if (!valid) {
      replace(impacts, h('p', { class: 'muted' }, 'Shown once the draft has no problems.'))
      return
    }
    api.diff(state.draft.document, state.draft.baseVersion).then(
      (answer) => {
        if (mine !== asked) return
        const list = answer.impacts.filter((impact) => impact.experience === experience.id)
        replace(
          impacts,
          impactList(list, 'Nobody who already saw this experience is affected by your change.'),
        )
      },
      (error: unknown) => {
        if (mine === asked) replace(impacts, h('p', { class: 'error' }, failure(error)))
      },
    )
  }

  const body = (context: ItemContext): Child => {
    const experience = context.item
    current = experience
    shareTexts.length = 0
    const { at, issues, editable } = context
    const input = (
      value: string,
      apply: (text: string) => void,
      props: Record<string, string | boolean> = {},
    ) =>
      h('input', {
        value,
        disabled: !editable,
        autocomplete: 'off',
        ...props,
        oninput: (event: Event) => {
          apply((event.target as HTMLInputElement).value)
          context.changed()
        },
      })
    const setOrDelete = (target: Record<string, unknown>, key: string, value: unknown) => {
      if (value === undefined) delete target[key]
      else target[key] = value
    }
    const text = (key: string) => (typeof experience[key] === 'string' ? experience[key] : '')
    const lines = (key: 'pages' | 'goals', label: string, hint: string) =>
      field({
        label,
        control: h('textarea', {
          rows: 3,
          value: linesText(experience[key]),
          disabled: !editable,
          spellcheck: 'false',
          oninput: (event: Event) => {
            experience[key] = linesList((event.target as HTMLTextAreaElement).value)
            context.changed()
          },
        }),
        hint,
        path: [...at, key],
        issues,
      })

    return [
      h(
        'div',
        { class: 'item-fields' },
        field({
          label: 'Experience id',
          control: input(text('id'), (value) => (experience.id = value), { spellcheck: 'false' }),
          hint: 'Letters, digits, _ . -; the report and GA4 events name it',
          path: [...at, 'id'],
          issues,
        }),
        field({
          label: 'Description (optional)',
          control: input(text('description'), (value) =>
            setOrDelete(experience, 'description', value === '' ? undefined : value),
          ),
          path: [...at, 'description'],
          issues,
        }),
      ),
      segmentsField(context),
      h(
        'div',
        { class: 'item-fields' },
        lines(
          'pages',
          'Pages (one URL pattern per line)',
          'A pattern starting with / matches the path (/pricing*), any other the address (https://*.example.com/blog/*). * is anything. Empty: every page.',
        ),
        field({
          label: 'Priority',
          control: input(
            typeof experience.priority === 'number' ? String(experience.priority) : '',
            (value) => setOrDelete(experience, 'priority', numberFromText(value)),
            { type: 'number', step: 'any', placeholder: '0' },
          ),
          hint: 'When two experiences want the same slot, the higher number wins',
          path: [...at, 'priority'],
          issues,
        }),
        field({
          label: 'Holdout (% of the audience kept as control)',
          control: input(
            percentText(experience.holdout),
            (value) => setOrDelete(experience, 'holdout', shareFromPercent(value)),
            { type: 'number', step: 'any', min: '0', max: '99.99', placeholder: '0' },
          ),
          hint: 'They see the page’s default and are counted, so the report can compare: 0 to 99 %',
          path: [...at, 'holdout'],
          issues,
        }),
        lines(
          'goals',
          'Goals (track event names, one per line)',
          'A track event with one of these names counts as a conversion, e.g. Demo Requested',
        ),
      ),
      statusFields(context),
      variationsField(context, shareTexts),
      editable && impactsSection,
    ]
  }

  itemEditor({
    root,
    state,
    list: 'experiences',
    id,
    fresh: (): DraftItem =>
      newExperience(
        freshId(
          'new-experience',
          itemsOf(state.draft.document, 'experiences').map((e) => e.id),
        ),
      ),
    body,
    below: (context) =>
      previewPanel(() => state.draft.document, defaultUrl(context.item), state.editable),
    afterChange: (context) => {
      const variations = Array.isArray(context.item.variations)
        ? (context.item.variations as VariationDraft[])
        : []
      const shares = trafficShares(context.item.holdout, variations)
      for (const { variation, element } of shareTexts) {
        const share = shares[variations.indexOf(variation)] ?? 0
        element.textContent = `New visitors who get it: ${percent(share)}`
      }
    },
    afterCheck: (_context, valid) => showImpacts(valid),
  })
}

/** A URL to preview on: the experience's first page when it is a plain path, else the home page. */
function defaultUrl(experience: DraftItem): string {
  const pages = Array.isArray(experience.pages) ? (experience.pages as unknown[]) : []
  const first = pages.find((page): page is string => typeof page === 'string')
  const path = first !== undefined && first.startsWith('/') ? first.replace(/\*.*$/, '') : '/'
  return `${location.origin}${path}`
}

/** The segments an experience targets: a box per segment of the draft. */
function segmentsField(context: ItemContext): HTMLElement {
  const { item: experience, state, editable, at } = context
  const chosen = Array.isArray(experience.segments) ? (experience.segments as unknown[]) : []
  const known = itemsOf(state.draft.document, 'segments').map((segment) => segment.id)
  const ids = [
    ...known,
    ...chosen.filter((id): id is string => typeof id === 'string' && !known.includes(id)),
  ]
  const fieldset = h(
    'fieldset',
    { class: 'choices' },
    h('legend', {}, 'Who sees it: visitors in at least one of these segments'),
  )
  const error = context.issues.register([...at, 'segments'], fieldset)
  fieldset.append(
    h(
      'p',
      { class: 'hint' },
      'None chosen: every visitor. A new segment appears here once it is in your draft.',
    ),
    h(
      'ul',
      { class: 'checks' },
      ids.map((id) => {
        const box = h('input', {
          type: 'checkbox',
          id: uid('segment'),
          checked: chosen.includes(id),
          disabled: !editable,
          onchange: (event: Event) => {
            const on = (event.target as HTMLInputElement).checked
            const now = Array.isArray(experience.segments) ? (experience.segments as unknown[]) : []
            experience.segments = on
              ? [...now.filter((other) => other !== id), id]
              : now.filter((other) => other !== id)
            context.changed()
          },
        })
        return h(
          'li',
          {},
          box,
          h(
            'label',
            { for: box.id },
            id || '(a segment with no id yet)',
            known.includes(id) ? '' : ' (no such segment)',
          ),
        )
      }),
    ),
    error,
  )
  return fieldset
}

/** The status, what it means, and the winner of a concluded experience. */
function statusFields(context: ItemContext): HTMLElement {
  const { item: experience, editable, at, issues } = context
  const status = typeof experience.status === 'string' ? experience.status : 'running'
  const select = h(
    'select',
    {
      disabled: !editable,
      'data-key': 'status',
      onchange: (event: Event) => {
        const next = (event.target as HTMLSelectElement).value
        experience.status = next
        // A conclusion is stamped when published; leaving it drops winner and time.
        delete experience.concludedAt
        if (next !== 'concluded') delete experience.winner
        context.redraw('status')
      },
    },
    Object.keys(statuses).map((option) =>
      h('option', { value: option, selected: option === status }, option),
    ),
  )
  const parts: Child[] = [
    field({
      label: 'Status',
      control: select,
      hint: statuses[status as keyof typeof statuses] ?? '',
      path: [...at, 'status'],
      issues,
    }),
  ]
  if (status === 'concluded') {
    const variations = Array.isArray(experience.variations)
      ? (experience.variations as VariationDraft[])
      : []
    const arms = [
      'control',
      ...variations.map((variation) => (typeof variation.id === 'string' ? variation.id : '')),
    ]
    const winner = typeof experience.winner === 'string' ? experience.winner : ''
    parts.push(
      field({
        label: 'Winner',
        control: h(
          'select',
          {
            disabled: !editable,
            onchange: (event: Event) => {
              const value = (event.target as HTMLSelectElement).value
              if (value === '') delete experience.winner
              else experience.winner = value
              context.changed()
            },
          },
          h('option', { value: '', selected: winner === '' }, 'choose the winner…'),
          arms.map((arm) =>
            h(
              'option',
              { value: arm, selected: arm === winner },
              arm === 'control' ? 'control (the page’s default)' : arm,
            ),
          ),
        ),
        hint: 'Served to everyone in the audience from now on',
        path: [...at, 'winner'],
        issues,
      }),
    )
  }
  return h('div', { class: 'item-fields' }, parts)
}

/** The variations: id, weight with the share it gets, paused, and content per slot. */
function variationsField(
  context: ItemContext,
  shareTexts: { variation: VariationDraft; element: HTMLElement }[],
): HTMLElement {
  const { item: experience, editable, at, issues } = context
  const variations = Array.isArray(experience.variations)
    ? (experience.variations as VariationDraft[])
    : []
  const fieldset = h('fieldset', { class: 'variations' }, h('legend', {}, 'Variations'))
  const error = issues.register([...at, 'variations'], fieldset)
  fieldset.append(error)
  variations.forEach((variation, index) => {
    fieldset.append(variationField(context, variation, index, shareTexts))
  })
  if (editable) {
    fieldset.append(
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          onclick: () => {
            const ids = variations.map((variation) => variation.id)
            experience.variations = [
              ...variations,
              { id: freshId(`variation-${variations.length + 1}`, ids), weight: 1, content: {} },
            ]
            context.redraw(`variation-${variations.length}:id`)
          },
        },
        'Add a variation',
      ),
    )
  }
  return fieldset
}

function variationField(
  context: ItemContext,
  variation: VariationDraft,
  index: number,
  shareTexts: { variation: VariationDraft; element: HTMLElement }[],
): HTMLElement {
  const { item: experience, editable, issues } = context
  const at: IssuePath = [...context.at, 'variations', index]
  const named = (id: unknown) => (typeof id === 'string' && id !== '' ? id : `${index + 1}`)
  const name = new LiveName(named(variation.id))
  const share = h('p', { class: 'share' })
  shareTexts.push({ variation, element: share })
  const set = (key: string, value: unknown) => {
    if (value === undefined) delete variation[key]
    else variation[key] = value
    context.changed()
  }
  const paused = h('input', {
    type: 'checkbox',
    id: uid('paused'),
    checked: variation.paused === true,
    disabled: !editable,
    onchange: (event: Event) => set('paused', (event.target as HTMLInputElement).checked),
  })
  const fieldset = h(
    'fieldset',
    { class: 'variation' },
    h(
      'legend',
      {},
      name.text((n) => `Variation ${n}`),
    ),
  )
  const error = issues.register(at, fieldset)
  fieldset.append(
    h(
      'div',
      { class: 'item-fields' },
      field({
        label: 'Variation id',
        control: h('input', {
          value: typeof variation.id === 'string' ? variation.id : '',
          disabled: !editable,
          autocomplete: 'off',
          spellcheck: 'false',
          'data-key': `variation-${index}:id`,
          oninput: (event: Event) => {
            const id = (event.target as HTMLInputElement).value
            name.set(named(id))
            set('id', id)
          },
        }),
        path: [...at, 'id'],
        issues,
      }),
      field({
        label: 'Weight',
        control: h('input', {
          type: 'number',
          step: 'any',
          min: '0',
          placeholder: '1',
          value: typeof variation.weight === 'number' ? String(variation.weight) : '',
          disabled: !editable,
          oninput: (event: Event) =>
            set('weight', numberFromText((event.target as HTMLInputElement).value)),
        }),
        hint: 'Twice the weight, twice the new visitors; 0 takes none',
        path: [...at, 'weight'],
        issues,
      }),
      share,
    ),
    h(
      'div',
      { class: 'check' },
      paused,
      h(
        'label',
        { for: paused.id },
        'Paused: takes no new visitors; those who have it see the page’s default until it resumes',
      ),
    ),
    contentField(context, variation, at, name),
    error,
  )
  if (editable) {
    fieldset.append(
      h(
        'div',
        { class: 'actions' },
        confirmButton(
          name.text((n) => `Remove variation ${n}`),
          () => `Visitors who have ${name.value} will be put in another arm. Remove it?`,
          () => {
            experience.variations = (experience.variations as VariationDraft[]).filter(
              (other) => other !== variation,
            )
            context.redraw()
          },
        ),
      ),
    )
  }
  return fieldset
}

/** A variation's content: one row per slot, its name and its text template. */
function contentField(
  context: ItemContext,
  variation: VariationDraft,
  at: IssuePath,
  name: LiveName,
): HTMLElement {
  const { editable, issues } = context
  const rows = slotRows(variation.content)
  const content = (): Record<string, string> => Object.fromEntries(slotRows(variation.content))
  const fieldset = h(
    'fieldset',
    { class: 'content' },
    h(
      'legend',
      {},
      name.text((n) => `Content of ${n}`),
    ),
  )
  const error = issues.register([...at, 'content'], fieldset)
  fieldset.append(
    h(
      'p',
      { class: 'hint' },
      'Each slot is a place on the page (data-parley-slot="hero-title"). ' + templateHint,
    ),
  )
  if (rows.length === 0) fieldset.append(h('p', {}, 'No slot yet: this variation changes nothing.'))
  rows.forEach(([slot, template], row) => {
    let current = slot
    const slotName = new LiveName(slot || String(row + 1))
    // The path follows a rename, so the loader's issues for the new name find this row.
    const path: (string | number)[] = [...at, 'content', slot]
    const clash = h('p', { class: 'field-error', role: 'alert', hidden: true })
    const nameInput: Control = h('input', {
      value: slot,
      disabled: !editable,
      autocomplete: 'off',
      spellcheck: 'false',
      'data-key': `${JSON.stringify(at)}:slot-${row}`,
      oninput: (event: Event) => {
        const next = (event.target as HTMLInputElement).value
        const renamed = renameSlot(content(), current, next)
        clash.hidden = renamed !== 'taken'
        clash.textContent =
          renamed === 'taken'
            ? `Another slot of ${name.value} is named ${next}: choose another name.`
            : ''
        if (renamed === 'taken') return
        variation.content = renamed
        current = next
        slotName.set(next || String(row + 1))
        path[path.length - 1] = next
        context.changed()
      },
    })
    const templateInput: Control = h('textarea', {
      rows: 2,
      value: template,
      disabled: !editable,
      oninput: (event: Event) => {
        variation.content = { ...content(), [current]: (event.target as HTMLTextAreaElement).value }
        context.changed()
      },
    })
    // The loader names a bad slot name and a bad template at the same path: each its own field.
    const aboutName = (issue: ConfigIssue) => /slot name/.test(issue.message)
    fieldset.append(
      h(
        'fieldset',
        { class: 'slot' },
        h('legend', {}, `Slot ${row + 1}`),
        field({ label: 'Slot name', control: nameInput, path, issues, accepts: aboutName }),
        clash,
        field({
          label: 'Text (template)',
          control: templateInput,
          path,
          issues,
          accepts: (issue) => !aboutName(issue),
        }),
        editable &&
          h(
            'button',
            {
              type: 'button',
              class: 'secondary small danger',
              onclick: () => {
                variation.content = Object.fromEntries(
                  slotRows(variation.content).filter(([other]) => other !== current),
                )
                context.redraw()
              },
            },
            slotName.text((n) => `Remove slot ${n}`),
          ),
      ),
    )
  })
  if (editable) {
    fieldset.append(
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          onclick: () => {
            const now = content()
            const empty = rows.findIndex(([slot]) => slot === '')
            if (empty >= 0) return context.redraw(`${JSON.stringify(at)}:slot-${empty}`)
            variation.content = { ...now, '': '' }
            context.redraw(`${JSON.stringify(at)}:slot-${rows.length}`)
          },
        },
        name.text((n) => `Add a slot to ${n}`),
      ),
    )
  }
  fieldset.append(error)
  return fieldset
}
