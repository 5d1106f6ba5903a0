import { api, useCsrf, type Me, type VersionMeta } from './api.ts'
import { hasChanges, rebaseDraft, type DraftDocument, type ItemChange } from './draft-merge.ts'

/*
 * The state every editor page shares: who is signed in, the newest version, and the draft (a
 * whole config edited from one version, its base), kept in this browser's localStorage per
 * person until it is published or discarded, so leaving a page or reloading loses nothing.
 */

/** A draft: the version it was made from and the whole config as edited. */
export interface StoredDraft {
  baseVersion: number | null
  document: DraftDocument
}

export interface EditorState {
  me: Me
  /** Whether this person may change the config here (an editor, not pinned to a file). */
  editable: boolean
  /** The newest version when last read. */
  newest: VersionMeta | null
  /** The config of the draft's base version. */
  base: DraftDocument
  draft: StoredDraft
}

const storageKey = (person: string) => `parley.console.draft.${person}`

/** Reads who is signed in, the newest version, and this person's draft (if any). */
export async function loadState(): Promise<EditorState> {
  const me = await api.me()
  useCsrf(me.csrf)
  const newest = await api.config()
  const fresh = (): EditorState => ({
    me,
    editable: me.mayPublish,
    newest: newest.version,
    base: newest.document,
    draft: {
      baseVersion: newest.version?.number ?? null,
      document: structuredClone(newest.document),
    },
  })
  if (!me.mayPublish) return fresh()
  const stored = readStored(me.person.name)
  if (stored === undefined) return fresh()
  let base = newest.document
  if (stored.baseVersion !== (newest.version?.number ?? null) && stored.baseVersion !== null) {
    base = await api.version(stored.baseVersion).then(
      (answer) => answer.document,
      () => newest.document,
    )
  }
  return { me, editable: true, newest: newest.version, base, draft: stored }
}

function readStored(person: string): StoredDraft | undefined {
  try {
    const raw = localStorage.getItem(storageKey(person))
    if (raw === null) return undefined
    const parsed = JSON.parse(raw) as Partial<StoredDraft>
    if (typeof parsed.document !== 'object' || parsed.document === null) return undefined
    return { baseVersion: parsed.baseVersion ?? null, document: parsed.document }
  } catch {
    return undefined // storage off, or a damaged entry: start from the newest version
  }
}

/** Keeps the draft in this browser, or forgets it when it no longer differs from its base. */
export function saveDraft(state: EditorState): void {
  if (!state.editable) return
  const key = storageKey(state.me.person.name)
  try {
    if (hasChanges(state.base, state.draft.document)) {
      localStorage.setItem(key, JSON.stringify(state.draft))
    } else {
      localStorage.removeItem(key)
    }
  } catch {
    // Storage full or off: the draft lives as long as the page.
  }
}

/** Whether the draft has changes to publish. */
export function draftChanged(state: EditorState): boolean {
  return hasChanges(state.base, state.draft.document)
}

/** Drops the draft: the page starts again from the newest version. */
export async function discardDraft(state: EditorState): Promise<void> {
  const newest = await api.config()
  state.newest = newest.version
  state.base = newest.document
  state.draft = {
    baseVersion: newest.version?.number ?? null,
    document: structuredClone(newest.document),
  }
  saveDraft(state)
}

/** Whether a version was published after the draft's base. */
export function draftIsBehind(state: EditorState): boolean {
  return (state.newest?.number ?? 0) > (state.draft.baseVersion ?? 0)
}

/**
 * Carries the draft's changes onto the newest version (read again now), keeping the draft's
 * side of items both changed; answers those items, for the page to name.
 */
export async function rebaseOnNewest(state: EditorState): Promise<ItemChange[]> {
  const newest = await api.config()
  const { document, overlaps } = rebaseDraft(state.base, state.draft.document, newest.document)
  state.newest = newest.version
  state.base = newest.document
  state.draft = { baseVersion: newest.version?.number ?? null, document }
  saveDraft(state)
  return overlaps
}

/** Reads again which version is in force (for the banner): `/me` is light, no document. */
export async function refreshNewest(state: EditorState): Promise<void> {
  const inForce = (await api.me()).config.version
  // This instance may still serve an older version for a moment: never step back.
  if (inForce !== null && inForce.number > (state.newest?.number ?? 0)) state.newest = inForce
}
