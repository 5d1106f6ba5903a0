import { LRUCache } from 'lru-cache'
import type { Impression } from '../measurement/exposure.ts'
import type { Account, Profile } from '../profile/profile.ts'
import type { IngestCall } from '../pipeline/ingest-call.ts'
import type { IngestResult } from '../pipeline/ingest-event.ts'
import type { ChangeListener } from '../store/change-feed.ts'
import { changeKey } from '../store/change-feed.ts'
import { readerMethods } from '../store/store-methods.ts'
import type {
  ProfileKey,
  ProfileNeighbourhood,
  Store,
  StoreReader,
  StoreWriter,
} from '../store/store.ts'

type Cached = Profile | Account | Impression[] | { profileId: string }

/** Hits and misses since start, for the bench and metrics. */
export interface CacheStats {
  hits: number
  misses: number
  entries: number
  bytes: number
}

/**
 * A store with a per-process cache of what the personalisation hot path reads: profiles,
 * accounts, device -> profile links and impressions. Bounded by bytes (`maxBytes`; 0 turns the
 * cache off). It drops entries on every change the engine publishes: this process's commits and,
 * on PostgreSQL, other instances' (LISTEN/NOTIFY), or everything after a `reset`.
 *
 * Objects read through the cache are shared between requests: treat them as read-only.
 */
export class CachedStore implements Store {
  readonly #inner: Store
  readonly #cache: LRUCache<string, Cached> | undefined
  // Bumped by every invalidation: a read that started before it must not refill the cache with
  // what it fetched, which may be the value the write just replaced.
  #epoch = 0
  #hits = 0
  #misses = 0
  readonly #onLookup: ((hit: boolean) => void) | undefined
  /** What every read session's reader looks things up through (made once, not per read). */
  readonly #lookup: CacheLookup = {
    cached: (key, load, session) => this.#cached(key, load, session),
    epoch: () => this.#epoch,
  }

  /**
   * `maxBytes`: the cache's bound (0 turns it off). `onLookup`: called on every lookup with
   * whether it hit, for the metrics. Default: nothing.
   */
  constructor(inner: Store, options: { maxBytes: number; onLookup?: (hit: boolean) => void }) {
    this.#inner = inner
    this.#onLookup = options.onLookup
    inner.onChange((change) => {
      if (change.kind === 'reset') this.invalidateAll()
      else this.invalidate(change.keys)
    })
    this.#cache =
      options.maxBytes > 0
        ? new LRUCache<string, Cached>({
            maxSize: options.maxBytes,
            sizeCalculation: approximateBytes,
          })
        : undefined
  }

  get engine(): string {
    return this.#inner.engine
  }

  get stats(): CacheStats {
    return {
      hits: this.#hits,
      misses: this.#misses,
      entries: this.#cache?.size ?? 0,
      bytes: this.#cache?.calculatedSize ?? 0,
    }
  }

  /** Drops the entries of these keys (`profile:<id>`, `account:<id>`, `device:<id>`, `impressions:<id>`). */
  invalidate(keys: Iterable<string>): void {
    this.#epoch += 1
    for (const key of keys) this.#cache?.delete(key)
  }

  /** Drops every entry: another process's changes may have been missed (a `reset`). */
  invalidateAll(): void {
    this.#epoch += 1
    this.#cache?.clear()
  }

  transaction<T>(fn: (tx: StoreWriter) => Promise<T>): Promise<T> {
    // The engine publishes what a commit changed before this resolves (the change feed), and
    // the constructor's subscription drops those entries: local and remote writes alike.
    return this.#inner.transaction(fn)
  }

  runCall(call: IngestCall): Promise<IngestResult> {
    // Like transaction(): the change feed drops what the call's commit changed.
    return this.#inner.runCall(call)
  }

  /**
   * Cached reads answer from the cache; misses and the reads it does not keep (a user id's
   * profile, devices, merge log, account keys…) share one read session of the engine, opened by
   * the first of them and held until `fn` is done, so a lookup of everything about one profile is
   * one session (one statement on PostgreSQL) instead of one per read. A read that the cache
   * answers whole opens no session.
   */
  async read<T>(fn: (reader: StoreReader) => Promise<T>): Promise<T> {
    if (this.#cache === undefined) return this.#inner.read(fn)
    const session = new InnerReadSession(this.#inner)
    try {
      // The class has the passed-through reads on its prototype (see `passedThrough`).
      return await fn(new SessionReader(this.#lookup, session) as unknown as StoreReader)
    } finally {
      await session.close()
    }
  }

  /** Past the cache: the engine reads all of it in one view, which the cache could not give. */
  readNeighbourhood(key: ProfileKey): Promise<ProfileNeighbourhood | undefined> {
    return this.#inner.readNeighbourhood(key)
  }

  onChange(listener: ChangeListener): () => void {
    return this.#inner.onChange(listener)
  }

  ping(): Promise<void> {
    return this.#inner.ping()
  }

  pruneMessages(before: number): Promise<number> {
    return this.#inner.pruneMessages(before)
  }

  close(): Promise<void> {
    this.#cache?.clear()
    return this.#inner.close()
  }

  async #cached<T extends Cached>(
    key: string,
    load: (reader: StoreReader) => Promise<T | undefined>,
    session: InnerReadSession,
  ): Promise<T | undefined> {
    const hit = this.#cache?.get(key)
    this.#onLookup?.(hit !== undefined)
    if (hit !== undefined) {
      this.#hits += 1
      return hit as T
    }
    this.#misses += 1
    // The first miss opens the session and the later ones share it: a cold visitor's profile,
    // account and impressions cost one engine read, not one each. What a session reads is as
    // old as the session: it may be kept only if nothing was invalidated since it opened.
    const value = await session.run(this.#epoch, load)
    if (value !== undefined && session.openedAt === this.#epoch) this.#cache?.set(key, value)
    return value
  }
}

/** The cache as a read session's reader sees it. */
interface CacheLookup {
  cached: <T extends Cached>(
    key: string,
    load: (reader: StoreReader) => Promise<T | undefined>,
    session: InnerReadSession,
  ) => Promise<T | undefined>
  epoch: () => number
}

/**
 * The reader of one cached `read`: the kept reads from the cache, the others in its inner
 * session. A class, so that a read builds one small object and no closures: personalize reads
 * through one on every request.
 */
class SessionReader {
  readonly #lookup: CacheLookup
  readonly #session: InnerReadSession

  constructor(lookup: CacheLookup, session: InnerReadSession) {
    this.#lookup = lookup
    this.#session = session
  }

  profile(id: string): Promise<Profile | undefined> {
    return this.#lookup.cached(changeKey.profile(id), (r) => r.profile(id), this.#session)
  }

  account(id: string): Promise<Account | undefined> {
    return this.#lookup.cached(changeKey.account(id), (r) => r.account(id), this.#session)
  }

  async impressions(id: string): Promise<Impression[]> {
    const found = await this.#lookup.cached(
      changeKey.impressions(id),
      (r) => r.impressions(id),
      this.#session,
    )
    return found ?? []
  }

  async profileIdByAnonymousId(anonymousId: string): Promise<string | undefined> {
    const link = await this.#lookup.cached(
      changeKey.device(anonymousId),
      async (r) => {
        const profileId = await r.profileIdByAnonymousId(anonymousId)
        return profileId === undefined ? undefined : { profileId }
      },
      this.#session,
    )
    return link?.profileId
  }

  /** Any other read: in the session, never kept. */
  through(name: keyof StoreReader, args: unknown[]): Promise<unknown> {
    return this.#session.run(this.#lookup.epoch(), (reader) =>
      (reader[name] as (...a: unknown[]) => Promise<unknown>)(...args),
    )
  }
}

/** The reads a session reader passes through to the engine: all but the four it keeps. */
const kept = new Set<string>(['profile', 'account', 'impressions', 'profileIdByAnonymousId'])
const passedThrough = readerMethods.filter((name) => !kept.has(name))
for (const name of passedThrough) {
  Object.defineProperty(SessionReader.prototype, name, {
    value: function (this: SessionReader, ...args: unknown[]) {
      return this.through(name, args)
    },
  })
}

/**
 * One read session of the inner store for the reads of one cached `read` that the cache does not
 * answer: opened on first use and held open until that `read` is done.
 */
class InnerReadSession {
  readonly #inner: Store
  #reader: Promise<StoreReader> | undefined
  #done: Promise<unknown> | undefined
  #finish: () => void = () => undefined
  /** The cache's invalidation count when the session opened; undefined until then. */
  openedAt: number | undefined

  constructor(inner: Store) {
    this.#inner = inner
  }

  /** Runs `read` in the session, opening it (at invalidation count `epoch`) if need be. */
  run<T>(epoch: number, read: (reader: StoreReader) => Promise<T>): Promise<T> {
    if (this.#reader === undefined) {
      this.openedAt = epoch
      const finished = new Promise<void>((finish) => (this.#finish = finish))
      this.#reader = new Promise<StoreReader>((opened, failed) => {
        this.#done = this.#inner.read((reader) => {
          opened(reader)
          return finished
        })
        // It failed before it opened (the store is unreachable): the reads report it.
        this.#done.catch(failed)
      })
    }
    return this.#reader.then(read)
  }

  /** Ends the session once the reads are done; their own failures were reported to them. */
  async close(): Promise<void> {
    if (this.#done === undefined) return
    this.#finish()
    await this.#done.catch(() => undefined)
  }
}

/** Rough heap size of an entry: its JSON length plus a fixed overhead per object. */
function approximateBytes(value: Cached): number {
  return JSON.stringify(value).length + 64
}
