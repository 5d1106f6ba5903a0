import type { CallRequest, CallSnapshot } from '../call-batch.ts'

/*
 * How the SQLite worker tells, without reading it again, that a call's snapshot still holds.
 * Every write marks the keys of what it changed; each commit gets the next number and becomes
 * the last change of the keys its transactions marked. A snapshot read on the event loop at
 * commit `seq` (or later) still holds when none of the keys it depends on changed after `seq`,
 * nor in the group being committed.
 */

/** The keys a write marks and a snapshot depends on, spelled once. */
export const clockKey = {
  device: (anonymousId: string) => `device:${anonymousId}`,
  user: (userId: string) => `user:${userId}`,
  profile: (id: string) => `profile:${id}`,
  impressions: (profileId: string) => `impressions:${profileId}`,
  accountKey: (key: string) => `account-key:${key}`,
  account: (id: string) => `account:${id}`,
  suppression: (key: string) => `suppression:${key}`,
  message: (key: string) => `message:${key}`,
} as const

/** Keys remembered before the clock forgets them all (and older snapshots are read again). */
const maxKeys = 200_000

export class ChangeClock {
  #commits = 0
  /** Snapshots older than this commit are never trusted (the clock forgot what came before). */
  #horizon = 0
  #forgetAll = false
  readonly #last = new Map<string, number>()
  readonly #group = new Set<string>()
  readonly #work = new Set<string>()

  /** Commits so far. */
  get commits(): number {
    return this.#commits
  }

  /** The running work changed `key`. */
  mark(key: string): void {
    this.#work.add(key)
  }

  /** The running work changed rows no key names (a prune): every older snapshot is suspect. */
  markAll(): void {
    this.#forgetAll = true
  }

  /** The running work was released into its group (`kept`) or rolled back. */
  workDone(kept: boolean): void {
    if (kept) for (const key of this.#work) this.#group.add(key)
    this.#work.clear()
  }

  /** The group committed (`committed`) or rolled back as a whole. */
  groupDone(committed: boolean): void {
    if (committed) {
      this.#commits += 1
      if (this.#forgetAll || this.#last.size + this.#group.size > maxKeys) {
        this.#last.clear()
        this.#horizon = this.#commits
      } else {
        for (const key of this.#group) this.#last.set(key, this.#commits)
      }
    }
    this.#forgetAll = false
    this.#group.clear()
    this.#work.clear()
  }

  /** Whether none of `keys` changed after commit `seq`, committed or in the running group. */
  unchangedSince(seq: number, keys: readonly string[]): boolean {
    if (seq < this.#horizon) return false
    for (const key of keys) {
      if (this.#group.has(key) || this.#work.has(key)) return false
      if ((this.#last.get(key) ?? 0) > seq) return false
    }
    return true
  }
}

/** The keys a call's snapshot depends on: any change to one of them can change the snapshot. */
export function snapshotKeys(request: CallRequest, snapshot: CallSnapshot): string[] {
  const keys = [clockKey.message(request.messageKey)]
  for (const key of request.suppressionKeys) keys.push(clockKey.suppression(key))
  for (const anonymousId of request.anonymousIds) keys.push(clockKey.device(anonymousId))
  for (const userId of request.userIds) keys.push(clockKey.user(userId))
  // Every profile a link points at, found or not: a delete or a move changes where links lead.
  for (const { profileId } of [...snapshot.devices, ...snapshot.users]) {
    keys.push(clockKey.profile(profileId))
    if (request.impressions) keys.push(clockKey.impressions(profileId))
  }
  for (const key of request.accountKeys) keys.push(clockKey.accountKey(key))
  for (const { accountId } of snapshot.accountKeys) keys.push(clockKey.account(accountId))
  return keys
}
