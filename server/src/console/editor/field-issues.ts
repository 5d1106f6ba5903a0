import { h, replace, uid } from './dom.ts'
import { fieldForIssue, pathKey, type ConfigIssue, type IssuePath } from './issue-fields.ts'

/** A form control the editor labels and shows problems on. */
export type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement

interface Registered {
  path: IssuePath
  /** What gets focus and `aria-invalid`: a control, or a group (fieldset) of them. */
  target: HTMLElement
  error: HTMLElement
  hint: string | undefined
  /** Which of the issues at this path the field takes (two fields may share a path). */
  accepts: ((issue: ConfigIssue) => boolean) | undefined
}

/**
 * The fields of one form by the path of the value each edits, so the loader's issues show next
 * to the right field: the message under it, the control marked `aria-invalid` and described by
 * the message (a screen reader reads it on focus).
 */
export class FieldIssues {
  #fields: Registered[] = []

  /** Forgets every field (before the form is drawn again). */
  reset(): void {
    this.#fields = []
  }

  /** Registers `target` as the field of `path`; answers its error element, to place under it. */
  register(
    path: IssuePath,
    target: HTMLElement,
    hint?: string,
    accepts?: (issue: ConfigIssue) => boolean,
  ): HTMLElement {
    const error = h('p', { class: 'field-error', id: uid('error'), hidden: true })
    if (target.id === '') target.id = uid('field')
    // A group of controls takes focus from the list of problems too.
    if (!(target instanceof HTMLInputElement || target instanceof HTMLSelectElement)) {
      if (!(target instanceof HTMLTextAreaElement)) target.tabIndex = -1
    }
    target.dataset.path = pathKey(path)
    this.#fields.push({ path, target, error, hint, accepts })
    return error
  }

  /**
   * Shows each issue at its field (or the nearest enclosing one); answers the issues no field
   * of this form holds. Every earlier message is cleared first.
   */
  show(issues: readonly ConfigIssue[]): { placed: ConfigIssue[]; elsewhere: ConfigIssue[] } {
    const messages = new Map<Registered, string[]>()
    const placed: ConfigIssue[] = []
    const elsewhere: ConfigIssue[] = []
    for (const issue of issues) {
      const field = this.#fieldOf(issue)
      if (field === undefined) {
        elsewhere.push(issue)
        continue
      }
      placed.push(issue)
      messages.set(field, [...(messages.get(field) ?? []), issue.message])
    }
    for (const field of this.#fields) {
      const list = messages.get(field)
      const described = [field.hint, list === undefined ? undefined : field.error.id]
      const ids = described.filter((id) => id !== undefined).join(' ')
      if (ids === '') field.target.removeAttribute('aria-describedby')
      else field.target.setAttribute('aria-describedby', ids)
      if (list === undefined) {
        field.error.hidden = true
        field.error.textContent = ''
        field.target.removeAttribute('aria-invalid')
      } else {
        field.error.hidden = false
        field.error.textContent = list.join('; ')
        field.target.setAttribute('aria-invalid', 'true')
      }
    }
    return { placed, elsewhere }
  }

  /** The control an issue is shown at (for a link from the list of problems). */
  targetOf(issue: ConfigIssue): HTMLElement | undefined {
    return this.#fieldOf(issue)?.target
  }

  #fieldOf(issue: ConfigIssue): Registered | undefined {
    const candidates = this.#fields.filter((field) => field.accepts?.(issue) ?? true)
    return candidates[
      fieldForIssue(
        issue.at,
        candidates.map((field) => field.path),
      )
    ]
  }
}

/**
 * A labelled control with an optional hint, registered for the issues at `path`: label,
 * control, hint, and the place its problems appear.
 */
export function field(options: {
  label: string
  control: Control
  hint?: string
  path?: IssuePath
  issues?: FieldIssues
  accepts?: (issue: ConfigIssue) => boolean
  className?: string
}): HTMLElement {
  const { control } = options
  if (control.id === '') control.id = uid('field')
  const hint =
    options.hint === undefined
      ? undefined
      : h('p', { class: 'hint', id: uid('hint') }, options.hint)
  if (hint !== undefined) control.setAttribute('aria-describedby', hint.id)
  const error =
    options.path === undefined || options.issues === undefined
      ? undefined
      : options.issues.register(options.path, control, hint?.id, options.accepts)
  return h(
    'div',
    { class: `field ${options.className ?? ''}`.trim() },
    h('label', { for: control.id }, options.label),
    control,
    hint,
    error,
  )
}

/**
 * The list of a form's problems, above its buttons: a sentence a screen reader announces when
 * it changes (`aria-live`), then each problem with a link that moves focus to its field.
 */
export function problemsPanel(): {
  element: HTMLElement
  update: (
    placed: readonly ConfigIssue[],
    elsewhere: readonly ConfigIssue[],
    targetOf: (issue: ConfigIssue) => HTMLElement | undefined,
    elsewhereLink?: (issue: ConfigIssue) => string | undefined,
  ) => void
  checking: () => void
  unavailable: (message: string) => void
} {
  const sentence = h('p', { class: 'problems-sentence' })
  const status = h('div', { role: 'status', 'aria-live': 'polite' }, sentence)
  const list = h('ul', { class: 'problems-list' })
  const element = h('section', { class: 'problems', 'aria-label': 'Problems' }, status, list)
  const say = (text: string, ok: boolean) => {
    sentence.textContent = text
    sentence.className = ok ? 'problems-sentence ok' : 'problems-sentence error'
  }
  return {
    element,
    checking: () => {
      element.setAttribute('aria-busy', 'true')
    },
    unavailable: (message) => {
      element.removeAttribute('aria-busy')
      say(message, false)
      replace(list)
    },
    update: (placed, elsewhere, targetOf, elsewhereLink) => {
      element.removeAttribute('aria-busy')
      const total = placed.length + elsewhere.length
      say(
        total === 0
          ? 'No problems: the loader accepts this draft.'
          : `${total} problem${total === 1 ? '' : 's'}: fix ${total === 1 ? 'it' : 'them'} to publish.`,
        total === 0,
      )
      replace(
        list,
        placed.map((issue) => {
          const target = targetOf(issue)
          return h(
            'li',
            {},
            target === undefined
              ? issue.path
              : h(
                  'a',
                  {
                    href: `#${target.id}`,
                    onclick: (event: Event) => {
                      event.preventDefault()
                      target.focus()
                    },
                  },
                  issue.path,
                ),
            `: ${issue.message}`,
          )
        }),
        elsewhere.map((issue) => {
          const link = elsewhereLink?.(issue)
          return h(
            'li',
            {},
            link === undefined ? issue.path : h('a', { href: link }, issue.path),
            `: ${issue.message}`,
          )
        }),
      )
    },
  }
}
