import { resolve } from 'node:path'
import { buildBundle } from '../client-assets/build-bundle.ts'
import { staticAsset, type StaticAsset } from '../client-assets/static-asset.ts'

/** Where the editor's script is served; its pages load it with `script-src 'self'`. */
export const editorScriptPath = '/console/assets/editor.js'

/**
 * The CSP of the editor's pages: the console's, plus its own script and its own API. No inline
 * script, no eval, nothing from another origin.
 */
export const editorCsp =
  "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; " +
  "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

let built: StaticAsset | undefined

/**
 * The editor's script (`console/editor/main.ts` and what it imports), bundled with esbuild the
 * first time it is asked for, then kept for the life of the process.
 */
export function editorScript(): StaticAsset {
  built ??= staticAsset(
    buildBundle(resolve(import.meta.dirname, 'editor/main.ts'), {}),
    'application/javascript; charset=utf-8',
  )
  return built
}
