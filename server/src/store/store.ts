import type { Account, MergeLogEntry, Profile, StoredEvent } from '../profile/profile.ts'
import type { ChangeListener } from './change-feed.ts'

/** Reads, inside a transaction or on their own. */
export interface StoreReader {
  profile(id: string): Promise<Profile | undefined>
  profileIdByAnonymousId(anonymousId: string): Promise<string | undefined>
  profileIdByUserId(userId: string): Promise<string | undefined>
  /** The anonymous ids (devices) linked to a profile, oldest first. */
  anonymousIds(profileId: string): Promise<string[]>
  account(id: string): Promise<Account | undefined>
  accountIdByKey(key: string): Promise<string | undefined>
  /** The lookup keys (`id:…`, `domain:…`) of an account. */
  accountKeys(accountId: string): Promise<string[]>
  /** Every identity change that involved a profile, oldest first. */
  mergeLog(profileId: string): Promise<MergeLogEntry[]>
  /** The events recorded on a profile, oldest first, at most `limit`. */
  events(profileId: string, limit: number): Promise<StoredEvent[]>
}

/** Writes, only inside a transaction. */
export interface StoreWriter extends StoreReader {
  /** Records a message key; false when it was seen before (the call must then have no effect). */
  claimMessage(key: string, receivedAt: number): Promise<boolean>
  /**
   * Serialises transactions that touch the same identities (user ids, anonymous ids, account
   * keys) across every process on the store. Engines with one writer may do nothing.
   */
  lock(keys: readonly string[]): Promise<void>
  /** Inserts or replaces a profile; a user id belongs to at most one profile. */
  putProfile(profile: Profile): Promise<void>
  deleteProfile(id: string): Promise<void>
  linkAnonymousId(anonymousId: string, profileId: string, at: number): Promise<void>
  unlinkAnonymousId(anonymousId: string): Promise<void>
  /** Moves every anonymous id and event of one profile to another. */
  moveProfileData(fromProfileId: string, toProfileId: string): Promise<void>
  putAccount(account: Account): Promise<void>
  linkAccountKey(key: string, accountId: string): Promise<void>
  appendMergeLog(entry: MergeLogEntry): Promise<void>
  appendEvent(event: StoredEvent): Promise<void>
}

/**
 * The one storage interface every engine implements (memory for unit tests, SQLite by default,
 * PostgreSQL to scale out). The shared contract suite in `test/store/` pins its behaviour.
 */
export interface Store {
  /** Engine name, for logs and health output. */
  readonly engine: string
  /**
   * Runs `fn` in one transaction: all of its writes commit together or none do, and the promise
   * settles only after the commit is durable. An engine may run `fn` again after a conflict with
   * another writer, so `fn` must have no effect outside `tx`.
   */
  transaction<T>(fn: (tx: StoreWriter) => Promise<T>): Promise<T>
  /** Runs reads against a consistent view. */
  read<T>(fn: (reader: StoreReader) => Promise<T>): Promise<T>
  /**
   * Subscribes to what committed transactions changed, here and (PostgreSQL) in every other
   * process on the same database, so per-instance caches can drop stale entries. Returns the
   * unsubscribe function.
   */
  onChange(listener: ChangeListener): () => void
  /** Resolves when the store answers; rejects otherwise (readiness). */
  ping(): Promise<void>
  /** Forgets message keys claimed before `before` (ms); returns how many. */
  pruneMessages(before: number): Promise<number>
  close(): Promise<void>
}
