import { attributeProblem, compileAccessor, type EvalContext } from './attributes.ts'

/** A compiled content template: the rendered text, or `undefined` when the slot must not show. */
export type RenderTemplate = (ctx: EvalContext) => string | undefined

/** The attributes a template reads, so the payload can say nothing else about the visitor. */
export interface CompiledTemplate {
  render: RenderTemplate
  attributes: string[]
}

/** Thrown for a template that cannot compile; `message` says what and where in the text. */
export class TemplateError extends Error {
  override name = 'TemplateError'
}

const placeholder = /\{\{\s*([^}|]*?)\s*(?:\|\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\s*)?\}\}/g

/**
 * Compiles `Built for {{company.name | "teams like yours"}}` into a renderer. A placeholder
 * renders the attribute's text, else its fallback; when the attribute is missing and there is no
 * fallback, the whole slot is hidden (`undefined`), so a visitor never reads "Built for ".
 * The output is plain text: the client writes it with `textContent`.
 */
export function compileTemplate(source: string): CompiledTemplate {
  const parts: ((ctx: EvalContext) => string | undefined)[] = []
  const attributes: string[] = []
  let last = 0
  for (const match of source.matchAll(placeholder)) {
    const [whole, attribute = '', quoted] = match
    pushText(parts, source.slice(last, match.index))
    const problem = attributeProblem(attribute)
    if (problem !== undefined) throw new TemplateError(`in "${whole}": ${problem}`)
    const read = compileAccessor(attribute)
    const fallback = quoted === undefined ? undefined : unquote(quoted)
    attributes.push(attribute)
    parts.push((ctx) => {
      const value = read(ctx)
      if (typeof value === 'string' && value.trim() !== '') return value
      if (typeof value === 'number' || typeof value === 'boolean') return String(value)
      return fallback
    })
    last = match.index + whole.length
  }
  pushText(parts, source.slice(last))
  return {
    attributes,
    render: (ctx) => {
      let out = ''
      for (const part of parts) {
        const text = part(ctx)
        if (text === undefined) return undefined
        out += text
      }
      return out
    },
  }
}

function pushText(parts: ((ctx: EvalContext) => string | undefined)[], text: string): void {
  if (text.includes('{{') || text.includes('}}')) {
    throw new TemplateError(
      `"${text.trim()}" has an unmatched "{{" or "}}"; write {{attribute}} or {{attribute | "fallback"}}`,
    )
  }
  if (text !== '') parts.push(() => text)
}

function unquote(quoted: string): string {
  return quoted.slice(1, -1).replace(/\\(.)/g, '$1')
}
