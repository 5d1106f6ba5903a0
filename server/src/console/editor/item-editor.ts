import { api } from './api.ts'
import { failure } from './failure.ts'
import { debounce, h, replace, type Child } from './dom.ts'
import { draftBanner, itemHref, overlapNotice } from './draft-banner.ts'
import { itemsOf, type DraftDocument, type DraftItem, type ItemList } from './draft-merge.ts'
import { saveDraft, type EditorState } from './editor-state.ts'
import { FieldIssues, problemsPanel } from './field-issues.ts'
import { splitIssues, type ConfigIssue, type IssuePath } from './issue-fields.ts'

/** What a view of one item (a segment, an experience) gets to draw its form with. */
export interface ItemContext {
  state: EditorState
  item: DraftItem
  /** Where the item is in the draft (`['segments', 3]`), for the loader's issues. */
  at: IssuePath
  issues: FieldIssues
  editable: boolean
  /** A value was typed: the item is already changed in place. */
  changed: () => void
  /** The form must be drawn again (a new shape); `focus` names the control to focus after. */
  redraw: (focus?: string) => void
}

const nouns: Record<ItemList, string> = { segments: 'segment', experiences: 'experience' }

/**
 * The frame of the segment builder and the experience editor: finds the item in the draft (or
 * starts a new one, added to the draft at its first change), keeps the draft in this browser,
 * checks the whole draft with the loader as you type (debounced) and shows each problem at its
 * field, and offers review, discard and delete. `body` draws the item's own form; `afterChange`
 * runs after every change (the audience size).
 */
export function itemEditor(options: {
  root: HTMLElement
  state: EditorState
  list: ItemList
  id: string | undefined
  fresh: () => DraftItem
  body: (context: ItemContext) => Child
  /** Runs after each check of the draft, with whether the loader accepted it. */
  afterCheck?: (context: ItemContext, valid: boolean) => void
  /** Drawn once, below the form and its problems (the preview: not part of the item). */
  below?: (context: ItemContext) => Child
  afterChange?: (context: ItemContext) => void
}): void {
  const { root, state, list } = options
  const noun = nouns[list]
  const items = () => itemsOf(state.draft.document, list)
  const item = options.id === undefined ? undefined : items().find((i) => i.id === options.id)
  if (options.id !== undefined && item === undefined) {
    const inBase = itemsOf(state.base, list).some((i) => i.id === options.id)
    replace(
      root,
      h(
        'p',
        { class: 'notice' },
        inBase
          ? `Your draft deletes the ${noun} ${options.id}. Discard the draft on the publish page to keep it. `
          : `No ${noun} has the id ${options.id}. `,
        h('a', { href: `/console/edit/${noun}` }, `Create a new ${noun}`),
      ),
    )
    return
  }
  // A new item joins the draft at its first change, so opening the page alone changes nothing.
  let pending = item === undefined
  const current: DraftItem = item ?? options.fresh()
  const issues = new FieldIssues()
  const problems = problemsPanel()
  const form = h('form', {
    class: 'editor',
    novalidate: true,
    onsubmit: (e: Event) => e.preventDefault(),
  })
  const status = h('div', { role: 'status', class: 'editor-status' })
  const banner = draftBanner(state, (overlaps) => {
    // The draft was carried onto a newer version: the item is found again there.
    const again = items().find((i) => i.id === current.id)
    if (again === undefined) {
      location.assign(itemHref(list, current.id))
      return
    }
    replace(status, overlapNotice(overlaps, state.draft.baseVersion))
    Object.assign(current, again)
    draw()
    check()
  })

  const indexOf = () => (pending ? items().length : items().indexOf(current))
  const documentToCheck = (): DraftDocument =>
    pending ? { ...state.draft.document, [list]: [...items(), current] } : state.draft.document
  const context = (): ItemContext => ({
    state,
    item: current,
    at: [list, indexOf()],
    issues,
    editable: state.editable,
    changed,
    redraw: (focus) => {
      changed()
      draw(focus)
    },
  })

  let checks = 0
  const check = debounce(() => {
    const mine = (checks += 1)
    problems.checking()
    api.validate(documentToCheck()).then(
      (answer) => {
        if (mine !== checks) return
        showIssues(answer.issues)
        options.afterCheck?.(context(), answer.valid)
      },
      (error: unknown) => {
        if (mine === checks) problems.unavailable(failure(error))
      },
    )
  }, 300)

  function showIssues(all: readonly ConfigIssue[]): void {
    const { inside, outside } = splitIssues(all, [list, indexOf()])
    const { placed, elsewhere } = issues.show(inside)
    problems.update(
      placed,
      [...elsewhere, ...outside],
      (issue) => issues.targetOf(issue),
      (issue) => {
        const [otherList, index] = issue.at
        if ((otherList !== 'segments' && otherList !== 'experiences') || typeof index !== 'number')
          return undefined
        const other = itemsOf(state.draft.document, otherList)[index]
        return other === undefined || other === current ? undefined : itemHref(otherList, other.id)
      },
    )
  }

  function changed(): void {
    if (!state.editable) return
    if (pending) {
      state.draft.document[list] = [...items(), current]
      pending = false
    }
    saveDraft(state)
    if (current.id !== '' && new URLSearchParams(location.search).get('id') !== current.id) {
      history.replaceState(null, '', itemHref(list, current.id))
      retitle(`${noun[0]?.toUpperCase() ?? ''}${noun.slice(1)} ${current.id}`)
    }
    banner.update()
    options.afterChange?.(context())
    check()
  }

  const actions = () =>
    state.editable
      ? h(
          'div',
          { class: 'actions' },
          h('a', { class: 'button', href: '/console/publish' }, 'Review and publish'),
          h(
            'button',
            {
              type: 'button',
              class: 'secondary',
              onclick: () => {
                const original = itemsOf(state.base, list).find((i) => i.id === options.id)
                if (original === undefined) return remove()
                for (const key of Object.keys(current)) delete current[key]
                Object.assign(current, structuredClone(original))
                changed()
                draw()
                replace(status, h('p', {}, `Your changes to this ${noun} are discarded.`))
              },
            },
            `Discard my changes to this ${noun}`,
          ),
          confirmButton(
            `Delete this ${noun}`,
            () => `Delete ${noun} ${current.id || '(no id)'} from your draft?`,
            remove,
          ),
        )
      : null

  function remove(): void {
    if (!pending) {
      state.draft.document[list] = items().filter((i) => i !== current)
      saveDraft(state)
    }
    location.assign('/console/publish')
  }

  function draw(focus?: string): void {
    issues.reset()
    const registerRoot = issues.register([list, indexOf()], form)
    replace(form, options.body(context()), registerRoot)
    if (focus !== undefined) {
      const target = form.querySelector<HTMLElement>(`[data-key="${CSS.escape(focus)}"]`)
      target?.focus()
    }
  }

  // A reader has no draft to check: the list of problems is for editors.
  problems.element.hidden = !state.editable
  replace(
    root,
    banner.element,
    status,
    form,
    problems.element,
    actions(),
    options.below?.(context()),
  )
  draw()
  options.afterChange?.(context())
  check()
  check.flush()
}

/** Names the page after the item, once it has an id (the heading and the window title). */
function retitle(title: string): void {
  const heading = document.querySelector('main h1')
  if (heading !== null) heading.textContent = title
  document.title = `${title} · Parley console`
}

/**
 * A button that asks once more before it acts (no browser dialog: a second button, inline).
 * `label` may be a live text node (a name that changes as it is typed).
 */
export function confirmButton(
  label: string | Text,
  question: () => string,
  act: () => void,
): HTMLElement {
  const wrapper = h('span', { class: 'confirm' })
  const ask = () => {
    const yes = h('button', { type: 'button', class: 'danger', onclick: act }, 'Yes')
    replace(
      wrapper,
      h('span', { role: 'alert' }, `${question()} `),
      yes,
      h('button', { type: 'button', class: 'secondary', onclick: reset }, 'No, keep it'),
    )
    yes.focus()
  }
  const reset = () => {
    replace(
      wrapper,
      h('button', { type: 'button', class: 'secondary danger', onclick: ask }, label),
    )
  }
  reset()
  return wrapper
}

/**
 * A name shown in several places (a legend, button labels) that follows what is typed: each
 * place is a text node made by `text`, and `set` rewrites them all.
 */
export class LiveName {
  #name: string
  readonly #nodes: [Text, (name: string) => string][] = []

  constructor(name: string) {
    this.#name = name
  }

  get value(): string {
    return this.#name
  }

  /** A text node reading `words(name)`, kept up to date. */
  text(words: (name: string) => string): Text {
    const node = document.createTextNode(words(this.#name))
    this.#nodes.push([node, words])
    return node
  }

  set(name: string): void {
    this.#name = name
    for (const [node, words] of this.#nodes) node.data = words(name)
  }
}
