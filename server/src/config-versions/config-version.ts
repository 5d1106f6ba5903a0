import type { PersonalizationConfig } from '../personalization/config-schema.ts'

/**
 * How a version came to be: `publish` (from the console, including a status change), `rollback`
 * (a copy of an earlier version), `seed` (the `PARLEY_CONFIG` file, into an empty store at
 * start), `import` (`parley config import`).
 */
export const versionKinds = ['publish', 'rollback', 'seed', 'import'] as const
export type VersionKind = (typeof versionKinds)[number]

/**
 * One version of the personalisation config, as the store keeps it. Versions are numbered from
 * 1 without gaps; the newest is the one in force on every instance. Never changed once written.
 */
export interface ConfigVersion {
  number: number
  kind: VersionKind
  /** Who made it: a console user's name, `operator` (the admin token), or the command's name. */
  author: string
  /** When (ms). */
  at: number
  note: string
  /** The version it was edited from (the newest when it was made); null for the first. */
  baseVersion: number | null
  /** For a rollback: the version whose document it restores; otherwise null. */
  restoredFrom: number | null
  /** The whole config, validated, defaults filled in (the loader's output). */
  document: PersonalizationConfig
}

/** A version without its document: what a list shows. */
export type ConfigVersionMeta = Omit<ConfigVersion, 'document'>

/** The version without its document. */
export function versionMeta(version: ConfigVersion): ConfigVersionMeta {
  const meta: Partial<ConfigVersion> = { ...version }
  delete meta.document
  return meta as ConfigVersionMeta
}
