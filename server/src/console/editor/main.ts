import { h, replace } from './dom.ts'
import { loadState } from './editor-state.ts'
import { experienceView } from './experience-view.ts'
import { failure } from './failure.ts'
import { publishView } from './publish-view.ts'
import { segmentView } from './segment-view.ts'

/*
 * The console editor's script: loaded only by the editor's pages (`script-src 'self'`), it fills
 * `#editor` with the view its `data-view` names. Everything it shows that someone typed is set as
 * text, never as markup.
 */

async function start(): Promise<void> {
  const root = document.getElementById('editor')
  if (root === null) return
  const { view, id } = root.dataset
  try {
    const state = await loadState()
    if (view === 'segment') segmentView(root, state, id)
    else if (view === 'experience') experienceView(root, state, id)
    else if (view === 'publish') publishView(root, state)
  } catch (error) {
    replace(root, h('p', { role: 'alert', class: 'error' }, failure(error)))
  }
}

void start()
