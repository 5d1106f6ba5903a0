import type { StoreWriter } from './store.ts'

/**
 * What changed in the store, published after a commit so per-instance caches can drop stale
 * entries. Keys name what changed: `profile:<profileId>`, `account:<accountId>`,
 * `device:<anonymousId>` (the device's link to a profile), `impressions:<profileId>` — the same spelling as the keys of
 * the per-instance profile cache, so a cache can drop exactly what it is told — and `config` (a
 * new config version: every instance loads it, see `config-versions/live-config.ts`).
 *
 * - `local`: this process committed it (published before `transaction()` resolves);
 * - `remote`: another process on the same database committed it (PostgreSQL LISTEN/NOTIFY),
 *   delivered a few milliseconds after that commit;
 * - `reset`: notifications may have been missed (the listening connection dropped and came
 *   back), so a cache must forget everything.
 */
export type StoreChange =
  | { kind: 'changed'; origin: 'local' | 'remote'; keys: readonly string[] }
  | { kind: 'reset'; reason: string }

export type ChangeListener = (change: StoreChange) => void

/** Builds change keys, so producers and caches spell them the same way. */
export const changeKey = {
  profile: (id: string) => `profile:${id}`,
  account: (id: string) => `account:${id}`,
  device: (anonymousId: string) => `device:${anonymousId}`,
  impressions: (profileId: string) => `impressions:${profileId}`,
  config: () => 'config',
} as const

/** An in-process fan-out of store changes; a failing listener never stops the others. */
export class ChangeFeed {
  readonly #listeners = new Set<ChangeListener>()
  readonly #onListenerError: (error: unknown) => void

  /** `onListenerError` defaults to ignoring the error: a cache must not break a write. */
  constructor(onListenerError: (error: unknown) => void = () => undefined) {
    this.#onListenerError = onListenerError
  }

  /** Subscribes; returns the function that unsubscribes. */
  onChange(listener: ChangeListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  emit(change: StoreChange): void {
    if (change.kind === 'changed' && change.keys.length === 0) return
    for (const listener of this.#listeners) {
      try {
        listener(change)
      } catch (error) {
        this.#onListenerError(error)
      }
    }
  }
}

/**
 * Wraps a writer so every write records the keys it changes into `changed`. Reads and methods
 * without an entry here pass through untouched: a new write method that changes a profile or an
 * account must be added below, or caches will not hear of it.
 */
export function trackChanges(writer: StoreWriter, changed: Set<string>): StoreWriter {
  const mark = (...keys: string[]) => {
    for (const key of keys) changed.add(key)
  }
  // The writer's own methods are inherited, not copied: this runs for every transaction.
  const tracking: Partial<StoreWriter> = {
    putProfile: (profile) => {
      mark(changeKey.profile(profile.id))
      return writer.putProfile(profile)
    },
    deleteProfile: (id) => {
      mark(changeKey.profile(id), changeKey.impressions(id))
      return writer.deleteProfile(id)
    },
    recordImpression: (impression) => {
      mark(changeKey.impressions(impression.profileId))
      return writer.recordImpression(impression)
    },
    linkAnonymousId: (anonymousId, profileId, at) => {
      mark(changeKey.device(anonymousId), changeKey.profile(profileId))
      return writer.linkAnonymousId(anonymousId, profileId, at)
    },
    unlinkAnonymousId: (anonymousId) => {
      mark(changeKey.device(anonymousId))
      return writer.unlinkAnonymousId(anonymousId)
    },
    moveProfileData: async (fromProfileId, toProfileId) => {
      // The move relinks every device of the source profile: name them before they move.
      const devices = await writer.anonymousIds(fromProfileId)
      mark(changeKey.profile(fromProfileId), changeKey.profile(toProfileId))
      mark(changeKey.impressions(fromProfileId), changeKey.impressions(toProfileId))
      mark(...devices.map(changeKey.device))
      return writer.moveProfileData(fromProfileId, toProfileId)
    },
    putAccount: (account) => {
      mark(changeKey.account(account.id))
      return writer.putAccount(account)
    },
    appendConfigVersion: (version) => {
      mark(changeKey.config())
      return writer.appendConfigVersion(version)
    },
    linkAccountKey: (key, accountId) => {
      mark(changeKey.account(accountId))
      return writer.linkAccountKey(key, accountId)
    },
  }
  return Object.assign(Object.create(writer) as StoreWriter, tracking)
}
