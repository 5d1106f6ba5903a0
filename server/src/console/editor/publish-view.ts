import { diffInWords, type DiffLine } from '../diff-words.ts'
import { api, ApiError, type Impact, type VersionMeta } from './api.ts'
import { h, replace, type Child } from './dom.ts'
import { draftBanner, itemHref, overlapNotice } from './draft-banner.ts'
import { itemsOf } from './draft-merge.ts'
import {
  discardDraft,
  draftChanged,
  rebaseOnNewest,
  saveDraft,
  type EditorState,
} from './editor-state.ts'
import { field, problemsPanel } from './field-issues.ts'
import { confirmButton } from './item-editor.ts'
import { failure } from './failure.ts'
import type { ConfigIssue } from './issue-fields.ts'
import { impactList } from './impact-list.ts'
import { previewPanel } from './preview-panel.ts'

/** A diff as nested lists, each changed or added item linked to its editor. */
export function diffView(lines: readonly DiffLine[]): HTMLElement {
  return h(
    'ul',
    { class: 'diff' },
    lines.map((line) =>
      h(
        'li',
        {},
        line.item === undefined || line.item.removed
          ? line.text
          : h('a', { href: itemHref(line.item.list, line.item.id) }, line.text),
        line.children === undefined ? null : diffView(line.children),
      ),
    ),
  )
}

function section(id: string, title: string, ...children: Child[]): HTMLElement {
  return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), ...children)
}

/**
 * The publish step: the draft's diff from the version it was made from, what it does to visitors
 * (and the confirmation the server asks for when it moves some), its problems, a preview, a note
 * and the publish button, enabled only for a draft the loader accepts. A conflict says who
 * published what in between and offers to carry the draft onto that version.
 */
export function publishView(root: HTMLElement, state: EditorState): void {
  if (!state.editable) {
    replace(
      root,
      h(
        'p',
        {},
        `Version ${String(state.newest?.number ?? 'none')} is in force. `,
        h('a', { href: '/console/versions' }, 'See every version'),
      ),
    )
    return
  }
  const outcome = h('div', { class: 'outcome', 'aria-live': 'polite' })
  const changes = h('div', {})
  const impacts = h('div', {})
  const problems = problemsPanel()
  const visitors = section('visitors-heading', 'What it does to visitors', impacts)
  const publishSection = h('div', {})
  const note = h('textarea', { rows: 2, maxlength: '2000' })
  const confirm = h('input', { type: 'checkbox', id: 'confirm-moves' })
  const confirmRow = h(
    'div',
    { class: 'check', hidden: true },
    confirm,
    h(
      'label',
      { for: confirm.id },
      'I understand: visitors who already saw a removed variation will see other content.',
    ),
  )
  const publish = h('button', { type: 'button', disabled: true }, 'Publish')
  let ready = false
  let moves = false
  const enable = () => {
    publish.disabled = !ready || (moves && !confirm.checked)
  }
  confirm.addEventListener('change', enable)

  const showImpacts = (list: readonly Impact[]) => {
    moves = list.some((impact) => impact.movesRecordedVisitors)
    confirmRow.hidden = !moves
    if (!moves) confirm.checked = false
    replace(
      impacts,
      impactList(list, 'Nobody who already saw an experience is moved or affected by this change.'),
      confirmRow,
    )
    enable()
  }

  const elsewhereLink = (issue: ConfigIssue) => {
    const [list, index] = issue.at
    if ((list !== 'segments' && list !== 'experiences') || typeof index !== 'number')
      return undefined
    const item = itemsOf(state.draft.document, list)[index]
    return item === undefined ? undefined : itemHref(list, item.id)
  }

  let checks = 0
  async function refresh(): Promise<void> {
    const mine = (checks += 1)
    ready = false
    enable()
    banner.update()
    const changed = draftChanged(state)
    for (const part of [visitors, problems.element, publishSection]) part.hidden = !changed
    if (!changed) {
      replace(
        changes,
        h(
          'p',
          {},
          'You have no unpublished changes. Edit a ',
          h('a', { href: '/console/segments' }, 'segment'),
          ' or an ',
          h('a', { href: '/console/experiences' }, 'experience'),
          ' first; your changes wait here.',
        ),
      )
      return
    }
    problems.checking()
    try {
      const checked = await api.validate(state.draft.document)
      if (mine !== checks) return
      problems.update([], checked.issues, () => undefined, elsewhereLink)
      if (!checked.valid) {
        replace(changes, h('p', {}, 'The changes are listed once the draft has no problems.'))
        replace(impacts)
        return
      }
      const diff = await api.diff(state.draft.document, state.draft.baseVersion)
      if (mine !== checks) return
      replace(
        changes,
        h('p', {}, `From version ${String(diff.against)}, the version your draft was made from:`),
        diffView(diffInWords(diff.diff)),
      )
      showImpacts(diff.impacts)
      ready = !diff.diff.unchanged
      enable()
    } catch (error) {
      if (mine === checks) problems.unavailable(failure(error))
    }
  }

  const banner = draftBanner(
    state,
    (overlaps) => {
      replace(outcome, overlapNotice(overlaps, state.draft.baseVersion))
      void refresh()
    },
    true,
  )

  publish.addEventListener('click', () => {
    publish.disabled = true
    replace(outcome, h('p', { role: 'status' }, 'Publishing…'))
    api
      .publish({
        document: state.draft.document,
        baseVersion: state.draft.baseVersion,
        note: note.value.trim(),
        ...(moves && confirm.checked ? { confirmMoves: true } : {}),
      })
      .then(
        async (published) => {
          await discardDraft(state)
          note.value = ''
          replace(outcome, publishedNotice(published.version, state.me.propagationBoundMs))
          await refresh()
        },
        (error: unknown) => {
          if (error instanceof ApiError && error.code === 'config_version_conflict') {
            replace(outcome, conflictNotice(error, state, refresh))
          } else if (error instanceof ApiError && error.code === 'confirmation_required') {
            const list = error.details.impacts
            showImpacts(Array.isArray(list) ? (list as Impact[]) : [])
            replace(outcome, h('p', { role: 'alert', class: 'error' }, error.message))
          } else if (error instanceof ApiError && error.code === 'invalid_config') {
            problems.update([], error.issues, () => undefined, elsewhereLink)
            replace(outcome, h('p', { role: 'alert', class: 'error' }, error.message))
          } else {
            replace(outcome, h('p', { role: 'alert', class: 'error' }, failure(error)))
          }
          enable()
        },
      )
  })

  replace(
    root,
    banner.element,
    outcome,
    section('changes-heading', 'What changes', changes),
    visitors,
    problems.element,
    previewPanel(() => state.draft.document, `${location.origin}/`),
    publishSection,
  )
  replace(
    publishSection,
    section(
      'publish-heading',
      'Publish',
      field({
        label: 'Note (what you changed and why)',
        control: note,
        hint: 'Shown in the version history and the audit log',
      }),
      h(
        'div',
        { class: 'actions' },
        publish,
        confirmButton(
          'Discard the draft',
          () => 'Discard every unpublished change?',
          () => {
            void discardDraft(state).then(() => {
              replace(outcome, h('p', { role: 'status' }, 'Your draft is discarded.'))
              return refresh()
            })
          },
        ),
      ),
    ),
  )
  saveDraft(state)
  void refresh()
}

function publishedNotice(version: VersionMeta, boundMs: number): HTMLElement {
  return h(
    'p',
    { role: 'status', class: 'notice success' },
    `Published version ${version.number}: in force here now, and on every server within ${boundMs / 1000} seconds. `,
    h('a', { href: `/console/versions/${version.number}` }, `See version ${version.number}`),
  )
}

/** Who published what since the draft's base; the draft is kept, and can be carried over. */
function conflictNotice(
  error: ApiError,
  state: EditorState,
  refresh: () => Promise<void>,
): HTMLElement {
  const since = Array.isArray(error.details.publishedSince)
    ? (error.details.publishedSince as VersionMeta[])
    : []
  const current =
    typeof error.details.currentVersion === 'number' ? error.details.currentVersion : null
  const notice = h(
    'div',
    { role: 'alert', class: 'notice conflict' },
    h(
      'p',
      {},
      h('strong', {}, 'Not published: '),
      `your draft was made from version ${String(state.draft.baseVersion)}, but version ${String(current)} is in force now. Nothing was overwritten, and your changes are still in your draft.`,
    ),
    h(
      'ul',
      {},
      since.map((version) =>
        h(
          'li',
          {},
          `${version.author} published version ${version.number}`,
          version.note === '' ? '' : `: “${version.note}”`,
        ),
      ),
    ),
  )
  notice.append(
    h(
      'button',
      {
        type: 'button',
        onclick: () => {
          rebaseOnNewest(state)
            .then((overlaps) => {
              replace(notice, overlapNotice(overlaps, state.draft.baseVersion))
              return refresh()
            })
            .catch((error: unknown) => {
              notice.append(h('p', { class: 'error' }, failure(error)))
            })
        },
      },
      `Put my changes on version ${String(current)}`,
    ),
  )
  return notice
}
