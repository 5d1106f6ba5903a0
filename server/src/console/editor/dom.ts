/*
 * The editor's one way of making markup: elements built with `h`, every text set as a text node
 * (`textContent`), never parsed as HTML, so whatever a marketer or a visitor typed shows as text.
 */

/** What `h` takes as children: nodes, text, nothing, or lists of these. */
export type Child = Node | string | number | null | undefined | false | readonly Child[]

/** Attributes and listeners: `onclick` adds a listener, `true` a bare attribute, `false` none. */
export type Props = Record<
  string,
  string | number | boolean | null | undefined | ((event: Event) => void)
>

/** An element with attributes, listeners and children (text children become text nodes). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue
    if (typeof value === 'function') {
      element.addEventListener(name.slice(2), value)
    } else if (name === 'value' && 'value' in element) {
      // The property, not the attribute: a textarea's text and a select's choice.
      ;(element as HTMLInputElement).value = String(value)
    } else if (name === 'checked' && element instanceof HTMLInputElement) {
      element.checked = value === true
    } else {
      element.setAttribute(name, value === true ? '' : String(value))
    }
  }
  append(element, children)
  return element
}

/** Appends children (text as text nodes). */
export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    if (Array.isArray(child)) append(parent, child as readonly Child[])
    else if (child instanceof Node) parent.appendChild(child)
    else parent.appendChild(document.createTextNode(String(child as string | number)))
  }
}

/** Replaces an element's children. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren()
  append(parent, children)
}

let counter = 0

/** A fresh element id (`field-12`), unique on the page. */
export function uid(prefix: string): string {
  counter += 1
  return `${prefix}-${counter}`
}

/** Runs `fn` once `ms` after the last call; `flush` runs a pending call at once. */
export function debounce(fn: () => void, ms: number): { (): void; flush: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined
  const run = () => {
    timer = undefined
    fn()
  }
  const call = () => {
    if (timer !== undefined) clearTimeout(timer)
    timer = setTimeout(run, ms)
  }
  call.flush = () => {
    if (timer === undefined) return
    clearTimeout(timer)
    run()
  }
  return call
}
