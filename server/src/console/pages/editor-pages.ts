import type { EditAccess } from '../edit-access.ts'
import { html, type SafeHtml } from '../html.ts'

/** The editor's views: the segment builder, the experience editor, the publish step. */
export type EditorView = 'segment' | 'experience' | 'publish'

/** Why the page is read-only, when it is (shown before any script runs). */
export function readOnlyNotice(access: EditAccess): SafeHtml | '' {
  return access.editable ? '' : html`<p class="notice" id="read-only">${access.reason}</p>`
}

/**
 * The page the editor's script fills: what to edit (`data-view`, `data-id`) and, without
 * script, a sentence saying the editor needs it and where the same facts are without it.
 */
export function editorShell(options: {
  view: EditorView
  id: string | undefined
  access: EditAccess
}): SafeHtml {
  return html`${readOnlyNotice(options.access)}
    <noscript>
      <p class="notice">
        The editor needs JavaScript. Everything else in the console works without it: the
        <a href="/console/segments">segments</a>, the
        <a href="/console/experiences">experiences</a> and the
        <a href="/console/versions">versions</a>.
      </p>
    </noscript>
    <div
      id="editor"
      data-view="${options.view}"
      ${options.id === undefined ? '' : html`data-id="${options.id}"`}
    >
      <p class="muted">Loading the editor…</p>
    </div>`
}
