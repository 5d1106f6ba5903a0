import { readFileSync } from 'node:fs'
import { templatePaths } from '../gtm-harness/sync-template.ts'

/** The template's `.tpl` text and its mirrored sandboxed code, as committed. */
export const templateFiles = {
  tpl: readFileSync(templatePaths.tpl, 'utf8'),
  code: readFileSync(templatePaths.code, 'utf8'),
}
