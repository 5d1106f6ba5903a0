import { h, replace } from './dom.ts'
import { failure } from './failure.ts'
import { changedItems, type ItemChange } from './draft-merge.ts'
import {
  draftChanged,
  draftIsBehind,
  rebaseOnNewest,
  refreshNewest,
  type EditorState,
} from './editor-state.ts'

/** An item's editor page. */
export function itemHref(list: 'segments' | 'experiences', id: string): string {
  const page = list === 'segments' ? 'segment' : 'experience'
  return `/console/edit/${page}?id=${encodeURIComponent(id)}`
}

/** `segment vip added` for a sentence. */
export function changeWords(change: ItemChange): string {
  return `${change.list === 'segments' ? 'segment' : 'experience'} ${change.id || '(no id yet)'} ${change.change}`
}

/** The items both a draft and a newer version changed, said plainly after carrying it over. */
export function overlapNotice(overlaps: readonly ItemChange[], onto: number | null): HTMLElement {
  return h(
    'p',
    { class: 'notice', role: 'status' },
    `Your changes are now on version ${String(onto)}.`,
    overlaps.length === 0
      ? ' Nobody else changed what you changed.'
      : ` Also changed since your draft began: ${overlaps.map(changeWords).join(', ')}. Your version of ${overlaps.length === 1 ? 'it' : 'them'} is kept: check the changes below before publishing, or your colleague's change is replaced.`,
  )
}

/**
 * The line above every editor page about the draft: its unpublished changes (with the way to the
 * publish step), and, when someone published since it began, who, with the way to carry it onto
 * that version. `update` redraws it after a change.
 */
export function draftBanner(
  state: EditorState,
  onRebased: (overlaps: ItemChange[]) => void,
  onPublishPage = false,
): { element: HTMLElement; update: () => void } {
  const element = h('div', { class: 'draft-banner', role: 'region', 'aria-label': 'Your draft' })
  const update = () => {
    if (!state.editable) {
      element.hidden = true
      return
    }
    element.hidden = false
    const changes = changedItems(state.base, state.draft.document)
    const behind = draftIsBehind(state)
    const newest = state.newest
    replace(
      element,
      draftChanged(state)
        ? h(
            'p',
            {},
            `Your draft (from version ${String(state.draft.baseVersion)}) has unpublished changes: ${
              changes.length === 0 ? 'the order of items' : changes.map(changeWords).join(', ')
            }. `,
            onPublishPage ? null : h('a', { href: '/console/publish' }, 'Review and publish'),
          )
        : h(
            'p',
            {},
            `No unpublished changes: you are editing version ${String(state.draft.baseVersion)}, the newest. Changes are kept in this browser until you publish them.`,
          ),
      behind &&
        newest !== null &&
        h(
          'p',
          { class: 'notice' },
          `Version ${newest.number} was published by ${newest.author} since your draft began. `,
          h(
            'button',
            {
              type: 'button',
              class: 'secondary',
              onclick: () => {
                rebaseOnNewest(state).then(onRebased, (error: unknown) => {
                  element.append(h('p', { role: 'alert', class: 'error' }, failure(error)))
                })
              },
            },
            `Put my changes on version ${newest.number}`,
          ),
        ),
    )
  }
  update()
  // Someone may publish while this page is open: look again now and then (cheap, one read).
  if (state.editable) {
    setInterval(() => {
      void refreshNewest(state).then(update, () => undefined)
    }, 15_000)
  }
  return { element, update }
}
