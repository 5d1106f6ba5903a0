import type { Impression } from '../measurement/exposure.ts'
import type { Account, Profile } from '../profile/profile.ts'
import type { CallRequest, CallSnapshot } from '../store/call-batch.ts'

/** The plan asked for an account key the snapshot did not read: read it, then plan again. */
export class KeyNotRead extends Error {
  readonly key: string
  constructor(key: string) {
    super(`account key ${key} was not read`)
    this.key = key
  }
}

/**
 * Synchronous lookups into a call's snapshot, shaped like the store's reads, so the pipeline's
 * steps read like they did against a transaction while staying pure.
 */
export class SnapshotView {
  readonly #request: CallRequest
  readonly #devices: Map<string, string>
  readonly #users: Map<string, string>
  readonly #profiles: Map<string, Profile>
  readonly #accountKeys: Map<string, string>
  readonly #accounts: Map<string, { account: Account; keys: string[] }>
  readonly #impressions: Impression[]

  constructor(snapshot: CallSnapshot, request: CallRequest) {
    this.#request = request
    this.#devices = new Map(snapshot.devices.map((link) => [link.anonymousId, link.profileId]))
    this.#users = new Map(snapshot.users.map((link) => [link.userId, link.profileId]))
    this.#profiles = new Map(snapshot.profiles.map((profile) => [profile.id, profile]))
    this.#accountKeys = new Map(snapshot.accountKeys.map((link) => [link.key, link.accountId]))
    this.#accounts = new Map(snapshot.accounts.map((entry) => [entry.account.id, entry]))
    this.#impressions = snapshot.impressions
  }

  profileIdByAnonymousId(anonymousId: string): string | undefined {
    return this.#devices.get(anonymousId)
  }

  profileIdByUserId(userId: string): string | undefined {
    return this.#users.get(userId)
  }

  profile(id: string): Profile | undefined {
    return this.#profiles.get(id)
  }

  /** Throws `KeyNotRead` for a key the request did not name, so the plan can ask for it. */
  accountIdByKey(key: string): string | undefined {
    if (!this.#request.accountKeys.includes(key)) throw new KeyNotRead(key)
    return this.#accountKeys.get(key)
  }

  account(id: string): Account | undefined {
    return this.#accounts.get(id)?.account
  }

  accountKeys(id: string): string[] {
    return this.#accounts.get(id)?.keys ?? []
  }

  impressions(profileId: string): Impression[] {
    return this.#impressions.filter((impression) => impression.profileId === profileId)
  }
}
