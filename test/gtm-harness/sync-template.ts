/**
 * Keeps `gtm-template/template.tpl` in step with `gtm-template/template.js` (Stape's GTMS-5
 * layout: the sandboxed code also lives in its own file, for review and formatting).
 *
 *   npm run gtm:sync           rewrite template.tpl from template.js
 *   npm run gtm:sync -- --check   exit 1 when template.tpl is out of date
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { joinSections, splitSections, toGtmJson } from './tpl-file.ts'

const jsonSections = new Set(['INFO', 'TEMPLATE_PARAMETERS', 'WEB_PERMISSIONS'])

/** Paths of the template files, relative to the repository root. */
export const templatePaths = {
  tpl: resolve(import.meta.dirname, '../../gtm-template/template.tpl'),
  code: resolve(import.meta.dirname, '../../gtm-template/template.js'),
}

/**
 * The `.tpl` text with its code section replaced by `code` and its JSON sections written the way
 * the GTM editor writes them. Equal to the input when the file is in sync.
 */
export function syncedTemplate(tplText: string, code: string): string {
  const sections = splitSections(tplText).map((section) => {
    if (section.name === 'SANDBOXED_JS_FOR_WEB_TEMPLATE') {
      return { ...section, body: code.replace(/\n+$/, '') }
    }
    if (jsonSections.has(section.name)) {
      return { ...section, body: toGtmJson(JSON.parse(section.body)) }
    }
    return section
  })
  return joinSections(sections)
}

function main(): void {
  const current = readFileSync(templatePaths.tpl, 'utf8')
  const synced = syncedTemplate(current, readFileSync(templatePaths.code, 'utf8'))
  if (process.argv.includes('--check')) {
    if (synced !== current) {
      process.stderr.write('gtm-template/template.tpl is out of date: run npm run gtm:sync\n')
      process.exit(1)
    }
    return
  }
  writeFileSync(templatePaths.tpl, synced)
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename))
  main()
