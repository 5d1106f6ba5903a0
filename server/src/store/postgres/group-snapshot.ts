import type { Impression } from '../../measurement/exposure.ts'
import type { Account, Profile } from '../../profile/profile.ts'
import type { CallRequest, CallSnapshot, WriteOp } from '../call-batch.ts'
import { readCallSnapshot, type SnapshotReader } from '../run-call.ts'

/** What the store held for the union of a group's requests (see `postgres-snapshot.ts`). */
export interface GroupState {
  /** Message keys already claimed. */
  seen: Set<string>
  suppressed: Set<string>
  /** Device -> profile id. */
  devices: Map<string, string>
  /** User id -> profile id. */
  users: Map<string, string>
  profiles: Map<string, Profile>
  /** Account key -> account id. */
  accountKeys: Map<string, string>
  /** Accounts with their keys, oldest first. */
  accounts: Map<string, { account: Account; keys: string[] }>
  /** Per profile, its impressions by time. */
  impressions: Map<string, Impression[]>
}

/**
 * A group's snapshot, kept up to date with the writes of the calls planned so far: each call of
 * a group is planned on what the store will hold once the calls before it are written, so the
 * group's batches, applied in order in one transaction, are exactly what the calls one after
 * the other would have written. It covers what a `CallSnapshot` shows (claims, device and user
 * links, profiles, account keys, accounts, impressions); merge log, events and conversions are
 * never read back by a plan.
 */
export class GroupSnapshot {
  readonly #state: GroupState

  constructor(state: GroupState) {
    this.#state = state
  }

  /**
   * One call's snapshot, read by the generic `readCallSnapshot` (run-call.ts) from the group's:
   * exactly what a call alone would read from the store as the calls before it left it.
   */
  callSnapshot(request: CallRequest): Promise<CallSnapshot> {
    return readCallSnapshot(this.#reader, request)
  }

  /** The reads `readCallSnapshot` makes, answered from the group's state. */
  readonly #reader: SnapshotReader = {
    messageSeen: async (key) => this.#state.seen.has(key),
    suppressedKeys: async (keys) => keys.filter((key) => this.#state.suppressed.has(key)),
    profileIdByAnonymousId: async (anonymousId) => this.#state.devices.get(anonymousId),
    profileIdByUserId: async (userId) => this.#state.users.get(userId),
    profile: async (id) => this.#state.profiles.get(id),
    impressions: async (profileId) => [...(this.#state.impressions.get(profileId) ?? [])],
    accountIdByKey: async (key) => this.#state.accountKeys.get(key),
    account: async (id) => this.#state.accounts.get(id)?.account,
    accountKeys: async (id) => [...(this.#state.accounts.get(id)?.keys ?? [])],
  }

  /** Takes in one call's writes, as the SQL of `parley_write_group` carries them out. */
  apply(writes: readonly WriteOp[]): void {
    const state = this.#state
    const unlinkUsersOf = (profileId: string, except: string | null) => {
      for (const [userId, id] of state.users) {
        if (id === profileId && userId !== except) state.users.delete(userId)
      }
    }
    for (const write of writes) {
      switch (write.op) {
        case 'claimMessage':
          state.seen.add(write.key)
          break
        case 'putProfile': {
          const { profile } = write
          state.profiles.set(profile.id, profile)
          unlinkUsersOf(profile.id, profile.userId)
          if (profile.userId !== null) state.users.set(profile.userId, profile.id)
          break
        }
        case 'deleteProfile':
          state.profiles.delete(write.id)
          unlinkUsersOf(write.id, null)
          state.impressions.delete(write.id)
          break
        case 'linkAnonymousId':
          state.devices.set(write.anonymousId, write.profileId)
          break
        case 'unlinkAnonymousId':
          state.devices.delete(write.anonymousId)
          break
        case 'moveProfileData':
          this.#move(write.fromProfileId, write.toProfileId)
          break
        case 'putAccount': {
          const held = state.accounts.get(write.account.id)
          state.accounts.set(write.account.id, { account: write.account, keys: held?.keys ?? [] })
          break
        }
        case 'linkAccountKey': {
          const former = state.accountKeys.get(write.key)
          if (former === write.accountId) break
          const formerKeys = former === undefined ? [] : (state.accounts.get(former)?.keys ?? [])
          const position = formerKeys.indexOf(write.key)
          if (position >= 0) formerKeys.splice(position, 1)
          state.accountKeys.set(write.key, write.accountId)
          state.accounts.get(write.accountId)?.keys.push(write.key)
          break
        }
        case 'appendMergeLog':
        case 'appendEvent':
        case 'recordConversion':
          break
      }
    }
  }

  /** Devices and impressions move; where both hold an experience, the receiving row stands. */
  #move(from: string, to: string): void {
    const state = this.#state
    for (const [anonymousId, id] of state.devices) {
      if (id === from) state.devices.set(anonymousId, to)
    }
    const held = state.impressions.get(to) ?? []
    const kept = new Set(held.map((impression) => impression.experienceId))
    const moved = (state.impressions.get(from) ?? [])
      .filter((impression) => !kept.has(impression.experienceId))
      .map((impression) => ({ ...impression, profileId: to }))
    state.impressions.delete(from)
    if (held.length + moved.length > 0) {
      state.impressions.set(
        to,
        [...held, ...moved].sort((a, b) => a.at - b.at),
      )
    }
  }
}
