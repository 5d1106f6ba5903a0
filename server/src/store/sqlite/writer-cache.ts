import { LRUCache } from 'lru-cache'
import type { Row } from '../store-rows.ts'

/** Rows of each kind the writer keeps, by default: a busy site's hot profiles and accounts. */
export const defaultWriterCacheEntries = 20_000

/**
 * The rows every call looks up, as the writer connection last read or wrote them: profiles by
 * id, the profile a user id points at, accounts by id and the account a key points at. Each
 * lookup SQLite answers costs a statement (3–14 µs on a small machine), and a call makes four
 * of them before it plans; a known visitor's next call finds them here.
 *
 * It is exact, not eventually right, because nothing writes these tables but the writer's own
 * methods, which tell the cache what they wrote (`profileWritten`, ...). The engine clears it
 * when a write is rolled back and when another connection committed to the file (`PRAGMA
 * data_version`), the only ways the file can differ from what the cache was told. Misses are not
 * kept: a lookup that found nothing asks SQLite again. `entries`: the bound of each kind (0: no
 * cache, every lookup asks SQLite).
 */
export class WriterCache {
  readonly #profiles: LRUCache<string, Row> | undefined
  readonly #accounts: LRUCache<string, Row> | undefined
  readonly #accountKeys: LRUCache<string, string> | undefined
  readonly #users: LRUCache<string, string> | undefined
  /** The user id each profile holds in `#users`, to drop it when the profile moves or goes. */
  readonly #userOfProfile: Map<string, string> | undefined

  constructor(entries: number) {
    if (entries <= 0) return
    this.#userOfProfile = new Map()
    this.#profiles = new LRUCache({ max: entries })
    this.#accounts = new LRUCache({ max: entries })
    this.#accountKeys = new LRUCache({ max: entries })
    this.#users = new LRUCache({
      max: entries,
      // An evicted user id leaves the reverse map too, so it stays as bounded as this one.
      dispose: (profileId, userId) => {
        if (this.#userOfProfile?.get(profileId) === userId) this.#userOfProfile.delete(profileId)
      },
    })
  }

  /** The profile row with id `id`: kept, or `load`ed and kept when found. */
  profile(id: string, load: () => Row | undefined): Row | undefined {
    return through(this.#profiles, id, load)
  }

  /** The id of the profile that holds `userId`: kept, or `load`ed and kept when found. */
  profileIdByUserId(userId: string, load: () => string | undefined): string | undefined {
    const kept = this.#users?.get(userId)
    if (kept !== undefined) return kept
    const loaded = load()
    if (loaded !== undefined) this.#holdUser(userId, loaded)
    return loaded
  }

  /** The account row with id `id`: kept, or `load`ed and kept when found. */
  account(id: string, load: () => Row | undefined): Row | undefined {
    return through(this.#accounts, id, load)
  }

  /** The id of the account `key` points at: kept, or `load`ed and kept when found. */
  accountIdByKey(key: string, load: () => string | undefined): string | undefined {
    return through(this.#accountKeys, key, load)
  }

  /** The writer stored `row` whole as profile `row.id`, user id included. */
  profileWritten(row: Row): void {
    if (this.#profiles === undefined) return
    const id = row.id as string
    const userId = row.user_id as string | null
    const held = this.#userOfProfile?.get(id)
    if (held !== undefined && held !== userId) this.#dropUser(id)
    if (userId !== null) this.#holdUser(userId, id)
    this.#profiles.set(id, row)
  }

  /** The writer deleted profile `id`. */
  profileDeleted(id: string): void {
    this.#profiles?.delete(id)
    this.#dropUser(id)
  }

  /** The writer stored `row` whole as account `row.id`. */
  accountWritten(row: Row): void {
    this.#accounts?.set(row.id as string, row)
  }

  /** The writer set some of account `id`'s columns (`columns`); the others kept their values. */
  accountUpdated(id: string, columns: Row): void {
    const kept = this.#accounts?.get(id)
    if (kept !== undefined) this.#accounts?.set(id, { ...kept, ...columns })
  }

  /** The writer pointed `key` at account `accountId`. */
  accountKeyLinked(key: string, accountId: string): void {
    this.#accountKeys?.set(key, accountId)
  }

  /** Forgets everything: after a rollback, or when another connection wrote the file. */
  clear(): void {
    this.#profiles?.clear()
    this.#accounts?.clear()
    this.#accountKeys?.clear()
    this.#users?.clear()
    this.#userOfProfile?.clear()
  }

  /** Entries kept, the user-id index's included (the tests check its bound with it). */
  get size(): number {
    return (
      (this.#profiles?.size ?? 0) +
      (this.#accounts?.size ?? 0) +
      (this.#accountKeys?.size ?? 0) +
      (this.#users?.size ?? 0) +
      (this.#userOfProfile?.size ?? 0)
    )
  }

  #holdUser(userId: string, profileId: string): void {
    if (this.#users === undefined || this.#userOfProfile === undefined) return
    this.#users.set(userId, profileId)
    this.#userOfProfile.set(profileId, userId)
  }

  #dropUser(profileId: string): void {
    const userId = this.#userOfProfile?.get(profileId)
    if (userId === undefined) return
    this.#userOfProfile?.delete(profileId)
    if (this.#users?.get(userId) === profileId) this.#users.delete(userId)
  }
}

function through<V extends object | string>(
  cache: LRUCache<string, V> | undefined,
  key: string,
  load: () => V | undefined,
): V | undefined {
  const kept = cache?.get(key)
  if (kept !== undefined) return kept
  const loaded = load()
  if (loaded !== undefined) cache?.set(key, loaded)
  return loaded
}
