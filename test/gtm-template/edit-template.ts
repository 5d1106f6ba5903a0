import { stringify } from 'yaml'
import { joinSections, splitSections } from '../gtm-harness/tpl-file.ts'

/** A copy of a `.tpl` with some section bodies replaced (for harness and broken-copy tests). */
export function withSections(tpl: string, replacements: Record<string, string>): string {
  return joinSections(
    splitSections(tpl).map((section) => ({
      ...section,
      body: replacements[section.name] ?? section.body,
    })),
  )
}

/** A `___TESTS___` body from scenarios and setup, as the editor writes it. */
export function testsYaml(scenarios: { name: string; code: string }[], setup = ''): string {
  return stringify({ scenarios, setup }, { indentSeq: false, lineWidth: 0 }).replace(/\n+$/, '')
}

/**
 * Replaces one exact piece of text, failing loudly when it is not there, so a broken copy can
 * never silently equal the original.
 */
export function replaceOnce(text: string, from: string, to: string): string {
  const at = text.indexOf(from)
  if (at === -1 || text.indexOf(from, at + 1) !== -1) {
    throw new Error(`expected exactly one occurrence of ${JSON.stringify(from)}`)
  }
  return text.slice(0, at) + to + text.slice(at + from.length)
}
