/**
 * Reading and writing the `.tpl` file the GTM template editor exports: marker lines such as
 * `___INFO___`, each followed by a blank line, its body, and two blank lines.
 */

/** Sections of a web tag template, in the order the GTM editor exports them. */
export const webExportOrder = [
  'TERMS_OF_SERVICE',
  'INFO',
  'TEMPLATE_PARAMETERS',
  'SANDBOXED_JS_FOR_WEB_TEMPLATE',
  'WEB_PERMISSIONS',
  'TESTS',
  'NOTES',
] as const

/** One section: its marker name without underscores and its body without surrounding blank lines. */
export interface TplSection {
  name: string
  body: string
}

const marker = /^___([A-Z_]+)___$/gm

/**
 * Splits a `.tpl` on its marker lines, whatever their order (some tools reorder them).
 * Throws when text precedes the first marker or a section appears twice.
 */
export function splitSections(text: string): TplSection[] {
  const matches = [...text.replace(/\r\n/g, '\n').matchAll(marker)]
  const normalized = text.replace(/\r\n/g, '\n')
  const first = matches[0]
  if (first === undefined) throw new Error('no ___SECTION___ marker found: not a .tpl file')
  if (normalized.slice(0, first.index).trim() !== '') {
    throw new Error('text before the first ___SECTION___ marker')
  }
  const sections: TplSection[] = []
  matches.forEach((match, i) => {
    const name = match[1] ?? ''
    if (sections.some((section) => section.name === name)) {
      throw new Error(`section ___${name}___ appears twice`)
    }
    const start = match.index + match[0].length
    const end = matches[i + 1]?.index ?? normalized.length
    sections.push({
      name,
      body: normalized.slice(start, end).replace(/^\n+/, '').replace(/\n+$/, ''),
    })
  })
  return sections
}

/** Writes sections back in the editor's layout: marker, blank line, body, two blank lines. */
export function joinSections(sections: readonly TplSection[]): string {
  return sections.map((section) => `___${section.name}___\n\n${section.body}\n\n\n`).join('')
}

/** The body of a section; throws naming the section when it is missing. */
export function sectionBody(sections: readonly TplSection[], name: string): string {
  const section = sections.find((candidate) => candidate.name === name)
  if (section === undefined) throw new Error(`the template has no ___${name}___ section`)
  return section.body
}

/**
 * JSON as the GTM editor writes it: two-space indentation, and `<`, `>`, `&`, `=` and `'`
 * escaped as `\u00XX` (its serializer escapes HTML-significant characters). Those characters
 * only ever occur inside JSON strings, so replacing them in the output is safe.
 */
export function toGtmJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /[<>&=']/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
}
