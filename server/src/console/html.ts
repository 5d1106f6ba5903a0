/** Markup that is already safe: produced by `html` or built by code, never by a visitor. */
export class SafeHtml {
  readonly value: string
  constructor(value: string) {
    this.value = value
  }
  toString(): string {
    return this.value
  }
}

/** What a template slot accepts: text (escaped), safe markup, numbers, lists of either, nothing. */
export type HtmlValue =
  SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[]

const entities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/** Escapes text for an element's content or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => entities[c] ?? c)
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return ''
  if (value instanceof SafeHtml) return value.value
  if (Array.isArray(value)) return (value as readonly HtmlValue[]).map(render).join('')
  return escapeHtml(String(value))
}

/**
 * The one way console pages build markup: every interpolated value is escaped unless it is
 * `SafeHtml` (the result of another `html` template), so a visitor's trait such as
 * `<img src=x onerror=…>` always shows as text.
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? ''
  for (const [i, value] of values.entries()) out += render(value) + (strings[i + 1] ?? '')
  return new SafeHtml(out)
}

/** Builds a URL path with escaped query parameters (undefined ones left out). */
export function href(path: string, query: Record<string, string | undefined> = {}): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, value)
  const search = params.toString()
  return search === '' ? path : `${path}?${search}`
}
