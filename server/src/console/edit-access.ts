import type { LiveConfig } from '../config-versions/live-config.ts'
import type { Session } from './session.ts'

/**
 * Whether the signed-in person may change the config here, and if not, the reason the pages
 * show: the config is pinned to a file (for everyone), or they are a viewer. The server refuses
 * such changes anyway (`config_pinned`, `insufficient_role`); the pages do not offer them.
 */
export type EditAccess = { editable: true } | { editable: false; reason: string }

export function editAccess(session: Session, live: LiveConfig): EditAccess {
  if (live.pinned !== undefined) {
    return { editable: false, reason: `Read-only: ${live.pinned.reason}` }
  }
  const person = session.person
  if (person?.role !== 'editor') {
    return {
      editable: false,
      reason: `Read-only: you are signed in as ${person?.name ?? 'a viewer'}, a viewer. You can look at everything; only an editor can change it.`,
    }
  }
  return { editable: true }
}
