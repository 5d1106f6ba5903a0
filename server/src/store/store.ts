import type { Conversion, DailyCount, Impression, VariationCount } from '../measurement/exposure.ts'
import type { Account, MergeLogEntry, Profile, StoredEvent } from '../profile/profile.ts'
import type { IngestCall } from '../pipeline/ingest-call.ts'
import type { IngestResult } from '../pipeline/ingest-event.ts'
import type { AuthoringReads, AuthoringWrites } from './authoring-store.ts'
import type { ChangeListener } from './change-feed.ts'
import type { RecordCursor, RecordKind, RecordPage, StoreRecord } from './store-records.ts'

/**
 * A privacy suppression: calls carrying the identifier behind `key` are dropped. The key is a
 * one-way hash (see `privacy/suppression-keys.ts`), so the store never keeps the identifier of
 * someone who asked to be forgotten.
 */
export interface Suppression {
  key: string
  kind: 'userId' | 'anonymousId' | 'email'
  /** `deleted`: recorded by a delete request; `requested`: suppressed on its own. */
  reason: 'deleted' | 'requested'
  at: number
}

/** Which merge-log entries to erase: those naming any of these profiles, user ids or devices. */
export interface MergeLogSelector {
  profileIds: readonly string[]
  userIds: readonly string[]
  anonymousIds: readonly string[]
}

/**
 * Reads for the console (what a marketer browses): cheap on a million profiles, or a stated scan.
 * Each engine implements them in one block of its own.
 */
export interface ConsoleReads {
  /**
   * Per UTC day of the first impression and per arm of an experience: the profiles first shown
   * it that day, and those of them that reached `goal` within `windowMs` (as `experienceCounts`,
   * `until` included). Ordered by day, control first, then variation.
   */
  experienceDailyCounts(
    experienceId: string,
    goal: string,
    windowMs: number,
    until?: number,
  ): Promise<DailyCount[]>
  /** The ids of profiles linked to an account, in id order, at most `limit`. */
  profileIdsByAccount(accountId: string, limit: number): Promise<string[]>
  /**
   * Profiles whose stored traits contain `text` (case-insensitive), at most `limit`: a scan of
   * the profiles, for the console's search by email (the caller checks the exact trait).
   */
  profilesMentioning(text: string, limit: number): Promise<Profile[]>
  /**
   * How many profiles there are, and the first `limit` of them in id order. Profile ids are
   * random UUIDs, so those are a uniform sample, read through the primary key.
   */
  profileSample(limit: number): Promise<{ total: number; profiles: Profile[] }>
}

/** Reads, inside a transaction or on their own. */
export interface StoreReader extends ConsoleReads, AuthoringReads {
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
  /** Whether a message key was claimed (and not pruned since). */
  messageSeen(key: string): Promise<boolean>
  /** The subset of `keys` that are suppressed, in no particular order. */
  suppressedKeys(keys: readonly string[]): Promise<string[]>
  /** A profile's impressions, one per experience it was shown. */
  impressions(profileId: string): Promise<Impression[]>
  /**
   * Per variation (and control) of an experience: the profiles shown it, and those of them that
   * reached `goal` no earlier than their impression and at most `windowMs` after it. With
   * `until` (ms), impressions and conversions after it are left out (a concluded experience's
   * frozen report). Default: everything.
   */
  experienceCounts(
    experienceId: string,
    goal: string,
    windowMs: number,
    until?: number,
  ): Promise<VariationCount[]>
  /**
   * Up to `limit` records of one kind, in a stable order, from just after `after` (null: the
   * first). For `parley export`: paged, so a big store never sits in memory.
   */
  exportPage(kind: RecordKind, after: RecordCursor | null, limit: number): Promise<RecordPage>
}

/** Writes, only inside a transaction. */
export interface StoreWriter extends StoreReader, AuthoringWrites {
  /** Records a message key; false when it was seen before (the call must then have no effect). */
  claimMessage(key: string, receivedAt: number): Promise<boolean>
  /**
   * Serialises transactions that touch the same identities (user ids, anonymous ids, account
   * keys) across every process on the store. Engines with one writer may do nothing.
   */
  lock(keys: readonly string[]): Promise<void>
  /** Inserts or replaces a profile; a user id belongs to at most one profile. */
  putProfile(profile: Profile): Promise<void>
  /** Deletes a profile with its impressions and conversions (a merge moves those first). */
  deleteProfile(id: string): Promise<void>
  linkAnonymousId(anonymousId: string, profileId: string, at: number): Promise<void>
  unlinkAnonymousId(anonymousId: string): Promise<void>
  /**
   * Moves every anonymous id, event, impression and conversion of one profile to another. Where
   * both hold an impression of the same experience (or a conversion of the same goal), the
   * receiving profile's row stands and the other is dropped: a known user keeps their bucket.
   */
  moveProfileData(fromProfileId: string, toProfileId: string): Promise<void>
  putAccount(account: Account): Promise<void>
  linkAccountKey(key: string, accountId: string): Promise<void>
  appendMergeLog(entry: MergeLogEntry): Promise<void>
  appendEvent(event: StoredEvent): Promise<void>
  /** Erases every event recorded on a profile; returns how many. */
  deleteEvents(profileId: string): Promise<number>
  /** Erases the merge-log entries that name any selected profile, user id or device. */
  deleteMergeLog(selector: MergeLogSelector): Promise<number>
  /** Records suppressions; a key already suppressed keeps its first record. */
  suppress(entries: readonly Suppression[]): Promise<void>
  /** Lifts suppressions; returns how many of `keys` were suppressed. */
  unsuppress(keys: readonly string[]): Promise<number>
  /** Records a first impression; false (and no change) when the profile has one for it. */
  recordImpression(impression: Impression): Promise<boolean>
  /** Records a conversion; false (and no change) when the profile reached this goal before. */
  recordConversion(conversion: Conversion): Promise<boolean>
  /** Writes exported records as they are (`parley import`); into an empty store. */
  importRecords(records: readonly StoreRecord[]): Promise<void>
}

/** A profile named by one of its keys: its user id, or one of its devices. */
export interface ProfileKey {
  kind: 'userId' | 'anonymousId'
  value: string
}

/** Everything about one profile that the admin lookup shows, as one snapshot saw it. */
export interface ProfileNeighbourhood {
  profile: Profile
  /** Its devices, oldest first. */
  anonymousIds: string[]
  /** Every identity change that involved it, oldest first. */
  mergeLog: MergeLogEntry[]
  /** The account it is linked to, when that account exists. */
  account: Account | undefined
  /** That account's lookup keys (empty without an account). */
  accountKeys: string[]
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
  /**
   * Runs one pipeline call at the grain of a call: reads the neighbourhood the call names
   * (`callRequestOf`) as one snapshot, asks the pure plan (`planCall`; it may be asked again on
   * a fresher snapshot after a conflict) what to write, writes that as one batch and settles
   * after the commit is durable. The call is plain data, so an engine may run it on another
   * thread.
   */
  runCall(call: IngestCall): Promise<IngestResult>
  /** Runs reads against a consistent view. */
  read<T>(fn: (reader: StoreReader) => Promise<T>): Promise<T>
  /**
   * The neighbourhood of the profile `key` names, read as one consistent view; `undefined` when
   * the key names no profile. A read at the grain of the admin lookup, so that an engine may
   * answer the lookups that arrive together with one statement.
   */
  readNeighbourhood(key: ProfileKey): Promise<ProfileNeighbourhood | undefined>
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
