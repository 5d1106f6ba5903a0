import type { AuditEntry } from '../../audit/audit-entry.ts'
import type { ConfigVersion } from '../../config-versions/config-version.ts'
import type { ConsoleUser } from '../../console-users/console-user.ts'
import {
  guardAuthoringWrites,
  type AuthoringReads,
  type AuthoringWrites,
} from '../authoring-store.ts'

/** The memory engine's authoring records (see `authoring-store.ts`). */
export interface AuthoringState {
  /** Oldest first. */
  versions: ConfigVersion[]
  /** Oldest first. */
  audit: AuditEntry[]
  users: Map<string, ConsoleUser>
}

export function emptyAuthoringState(): AuthoringState {
  return { versions: [], audit: [], users: new Map() }
}

const copy = <T>(value: T): T => structuredClone(value)

export function memoryAuthoringReads(state: AuthoringState): AuthoringReads {
  return {
    latestConfigVersion: async () => copy(state.versions.at(-1)),
    latestConfigVersionNumber: async () => state.versions.at(-1)?.number ?? null,
    configVersion: async (number) => copy(state.versions.find((v) => v.number === number)),
    configVersions: async (before, limit) =>
      state.versions
        .filter((version) => before === null || version.number < before)
        .reverse()
        .slice(0, limit)
        .map(copy),
    auditLog: async (before, limit) =>
      state.audit
        .filter((entry) => before === null || entry.seq < before)
        .reverse()
        .slice(0, limit)
        .map(copy),
    consoleUser: async (name) => copy(state.users.get(name)),
    consoleUsers: async () =>
      [...state.users.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map(copy),
  }
}

export function memoryAuthoringWrites(state: AuthoringState): AuthoringWrites {
  return guardAuthoringWrites({
    appendConfigVersion: async (version) => {
      if (state.versions.some((v) => v.number === version.number)) {
        throw new Error(`config version ${version.number} exists`)
      }
      state.versions.push(copy(version))
    },
    appendAuditEntry: async (entry) => {
      state.audit.push({ ...copy(entry), seq: (state.audit.at(-1)?.seq ?? 0) + 1 })
    },
    putConsoleUser: async (user) => {
      state.users.set(user.name, copy(user))
    },
    deleteConsoleUser: async (name) => state.users.delete(name),
  })
}
