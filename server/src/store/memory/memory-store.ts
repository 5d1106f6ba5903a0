import { countDaily, countVariations } from '../../measurement/count-variations.ts'
import type { Conversion, Impression } from '../../measurement/exposure.ts'
import type { Account, MergeLogEntry, Profile, StoredEvent } from '../../profile/profile.ts'
import { ChangeFeed, trackChanges, type ChangeListener } from '../change-feed.ts'
import { Mutex } from '../mutex.ts'
import type { IngestCall } from '../../pipeline/ingest-call.ts'
import type { IngestResult } from '../../pipeline/ingest-event.ts'
import { runCallInTransaction } from '../run-call.ts'
import type {
  ConsoleReads,
  ProfileKey,
  ProfileNeighbourhood,
  Store,
  StoreReader,
  StoreWriter,
  Suppression,
} from '../store.ts'
import { writeRecords, type RecordKind, type StoreRecord } from '../store-records.ts'
import {
  emptyAuthoringState,
  memoryAuthoringReads,
  memoryAuthoringWrites,
  type AuthoringState,
} from './memory-authoring.ts'
import { readNeighbourhoodOnce } from '../profile-neighbourhood.ts'

interface State {
  profiles: Map<string, Profile>
  userIds: Map<string, string>
  anonymousIds: Map<string, { profileId: string; at: number }>
  accounts: Map<string, Account>
  accountKeys: Map<string, string>
  mergeLog: MergeLogEntry[]
  events: StoredEvent[]
  messages: Map<string, number>
  suppressions: Map<string, Suppression>
  impressions: Impression[]
  conversions: Conversion[]
  authoring: AuthoringState
}

function emptyState(): State {
  return {
    profiles: new Map(),
    userIds: new Map(),
    anonymousIds: new Map(),
    accounts: new Map(),
    accountKeys: new Map(),
    mergeLog: [],
    events: [],
    messages: new Map(),
    suppressions: new Map(),
    impressions: [],
    conversions: [],
    authoring: emptyAuthoringState(),
  }
}

/**
 * The in-memory engine, for unit tests only: nothing survives the process. A transaction works
 * on a copy of the state and swaps it in on success, so a failure leaves nothing behind.
 */
export class MemoryStore implements Store {
  readonly engine = 'memory'
  #state = emptyState()
  #mutex = new Mutex()
  readonly #feed = new ChangeFeed()

  transaction<T>(fn: (tx: StoreWriter) => Promise<T>): Promise<T> {
    return this.#mutex.run(async () => {
      const draft = structuredClone(this.#state)
      const changed = new Set<string>()
      const result = await fn(trackChanges(writer(draft), changed))
      this.#state = draft
      this.#feed.emit({ kind: 'changed', origin: 'local', keys: [...changed] })
      return result
    })
  }

  runCall(call: IngestCall): Promise<IngestResult> {
    return runCallInTransaction(this, call)
  }

  read<T>(fn: (reader: StoreReader) => Promise<T>): Promise<T> {
    return fn(reader(this.#state))
  }

  readNeighbourhood(key: ProfileKey): Promise<ProfileNeighbourhood | undefined> {
    return readNeighbourhoodOnce(this, key)
  }

  onChange(listener: ChangeListener): () => void {
    return this.#feed.onChange(listener)
  }

  ping(): Promise<void> {
    return Promise.resolve()
  }

  pruneMessages(before: number): Promise<number> {
    let removed = 0
    for (const [key, at] of this.#state.messages) {
      if (at < before) {
        this.#state.messages.delete(key)
        removed += 1
      }
    }
    return Promise.resolve(removed)
  }

  close(): Promise<void> {
    return Promise.resolve()
  }
}

const copy = <T>(value: T): T => structuredClone(value)

function reader(state: State): StoreReader {
  return {
    profile: async (id) => copyOrUndefined(state.profiles.get(id)),
    profileIdByAnonymousId: async (anonymousId) => state.anonymousIds.get(anonymousId)?.profileId,
    profileIdByUserId: async (userId) => state.userIds.get(userId),
    anonymousIds: async (profileId) =>
      [...state.anonymousIds.entries()]
        .filter(([, link]) => link.profileId === profileId)
        .sort(([, a], [, b]) => a.at - b.at)
        .map(([anonymousId]) => anonymousId),
    account: async (id) => copyOrUndefined(state.accounts.get(id)),
    accountIdByKey: async (key) => state.accountKeys.get(key),
    accountKeys: async (accountId) =>
      [...state.accountKeys.entries()].filter(([, id]) => id === accountId).map(([key]) => key),
    mergeLog: async (profileId) =>
      state.mergeLog
        .filter((entry) => entry.intoProfileId === profileId || entry.fromProfileId === profileId)
        .map(copy),
    events: async (profileId, limit) =>
      state.events
        .filter((event) => event.profileId === profileId)
        .sort((a, b) => a.at - b.at)
        .slice(0, limit)
        .map(copy),
    messageSeen: async (key) => state.messages.has(key),
    suppressedKeys: async (keys) => keys.filter((key) => state.suppressions.has(key)),
    impressions: async (profileId) =>
      state.impressions
        .filter((impression) => impression.profileId === profileId)
        .sort((a, b) => a.at - b.at)
        .map(copy),
    experienceCounts: async (experienceId, goal, windowMs, until) =>
      countVariations(state.impressions, state.conversions, experienceId, goal, windowMs, until),
    ...consoleReads(state),
    ...memoryAuthoringReads(state.authoring),
    exportPage: async (kind, after, limit) => {
      // The cursor is a position: the memory engine's collections keep their insertion order.
      const start = Number(after?.[0] ?? 0)
      const records = allRecords(state, kind).slice(start, start + limit)
      return { records: copy(records), next: records.length < limit ? null : [start + limit] }
    },
  }
}

/** Every record of one kind, in insertion order. */
function allRecords(state: State, kind: RecordKind): StoreRecord[] {
  switch (kind) {
    case 'profile':
      return [...state.profiles.values()].map((data) => ({ kind, data }))
    case 'account':
      return [...state.accounts.values()].map((account) => ({
        kind,
        data: {
          ...account,
          keys: [...state.accountKeys].filter(([, id]) => id === account.id).map(([key]) => key),
        },
      }))
    case 'device':
      return [...state.anonymousIds].map(([anonymousId, link]) => ({
        kind,
        data: { anonymousId, profileId: link.profileId, linkedAt: link.at },
      }))
    case 'mergeLog':
      return state.mergeLog.map((data) => ({ kind, data }))
    case 'event':
      return state.events.map((data) => ({ kind, data }))
    case 'impression':
      return state.impressions.map((data) => ({ kind, data }))
    case 'conversion':
      return state.conversions.map((data) => ({ kind, data }))
    case 'suppression':
      return [...state.suppressions.values()].map((data) => ({ kind, data }))
    case 'configVersion':
      return state.authoring.versions.map((data) => ({ kind, data }))
    case 'auditEntry':
      return state.authoring.audit.map((data) => ({ kind, data }))
    case 'consoleUser':
      return [...state.authoring.users.values()]
        .sort((a, b) => (a.name < b.name ? -1 : 1))
        .map((data) => ({ kind, data }))
  }
}

/** The console's reads (see `ConsoleReads`). */
function consoleReads(state: State): ConsoleReads {
  const byId = () => [...state.profiles.values()].sort((a, b) => (a.id < b.id ? -1 : 1))
  return {
    experienceDailyCounts: async (experienceId, goal, windowMs, until) =>
      countDaily(state.impressions, state.conversions, experienceId, goal, windowMs, until),
    profileIdsByAccount: async (accountId, limit) =>
      byId()
        .filter((profile) => profile.account?.id === accountId)
        .slice(0, limit)
        .map((profile) => profile.id),
    profilesMentioning: async (text, limit) =>
      byId()
        .filter((profile) =>
          JSON.stringify(profile.traits).toLowerCase().includes(text.toLowerCase()),
        )
        .slice(0, limit)
        .map(copy),
    profileSample: async (limit) => ({
      total: state.profiles.size,
      profiles: byId().slice(0, limit).map(copy),
    }),
  }
}

function writer(state: State): StoreWriter {
  return {
    ...reader(state),
    ...memoryAuthoringWrites(state.authoring),
    claimMessage: async (key, receivedAt) => {
      if (state.messages.has(key)) return false
      state.messages.set(key, receivedAt)
      return true
    },
    lock: async () => undefined,
    putProfile: async (profile) => {
      const owner = profile.userId === null ? undefined : state.userIds.get(profile.userId)
      if (owner !== undefined && owner !== profile.id) {
        throw new Error(`user id ${profile.userId} already belongs to profile ${owner}`)
      }
      const previous = state.profiles.get(profile.id)
      if (previous?.userId != null && previous.userId !== profile.userId) {
        state.userIds.delete(previous.userId)
      }
      if (profile.userId !== null) state.userIds.set(profile.userId, profile.id)
      state.profiles.set(profile.id, copy(profile))
    },
    deleteProfile: async (id) => {
      const previous = state.profiles.get(id)
      if (previous?.userId != null) state.userIds.delete(previous.userId)
      state.profiles.delete(id)
      state.impressions = state.impressions.filter((row) => row.profileId !== id)
      state.conversions = state.conversions.filter((row) => row.profileId !== id)
    },
    linkAnonymousId: async (anonymousId, profileId, at) => {
      state.anonymousIds.set(anonymousId, { profileId, at })
    },
    unlinkAnonymousId: async (anonymousId) => {
      state.anonymousIds.delete(anonymousId)
    },
    moveProfileData: async (fromProfileId, toProfileId) => {
      for (const link of state.anonymousIds.values()) {
        if (link.profileId === fromProfileId) link.profileId = toProfileId
      }
      for (const event of state.events) {
        if (event.profileId === fromProfileId) event.profileId = toProfileId
      }
      state.impressions = moveRows(
        state.impressions,
        fromProfileId,
        toProfileId,
        (row) => row.experienceId,
      )
      state.conversions = moveRows(
        state.conversions,
        fromProfileId,
        toProfileId,
        (row) => `${row.experienceId}\u0000${row.goal}`,
      )
    },
    putAccount: async (account) => {
      state.accounts.set(account.id, copy(account))
    },
    linkAccountKey: async (key, accountId) => {
      state.accountKeys.set(key, accountId)
    },
    appendMergeLog: async (entry) => {
      state.mergeLog.push(copy(entry))
    },
    appendEvent: async (event) => {
      state.events.push(copy(event))
    },
    deleteEvents: async (profileId) => {
      const before = state.events.length
      state.events = state.events.filter((event) => event.profileId !== profileId)
      return before - state.events.length
    },
    deleteMergeLog: async (selector) => {
      const profiles = new Set(selector.profileIds)
      const users = new Set(selector.userIds)
      const devices = new Set(selector.anonymousIds)
      const before = state.mergeLog.length
      state.mergeLog = state.mergeLog.filter(
        (entry) =>
          !profiles.has(entry.intoProfileId) &&
          !(entry.fromProfileId !== null && profiles.has(entry.fromProfileId)) &&
          !(entry.userId !== null && users.has(entry.userId)) &&
          !(entry.anonymousId !== null && devices.has(entry.anonymousId)),
      )
      return before - state.mergeLog.length
    },
    suppress: async (entries) => {
      for (const entry of entries) {
        if (!state.suppressions.has(entry.key)) state.suppressions.set(entry.key, { ...entry })
      }
    },
    unsuppress: async (keys) => {
      let lifted = 0
      for (const key of new Set(keys)) if (state.suppressions.delete(key)) lifted += 1
      return lifted
    },
    recordImpression: async (impression) =>
      addOnce(state.impressions, impression, (row) => row.experienceId),
    recordConversion: async (conversion) =>
      addOnce(state.conversions, conversion, (row) => `${row.experienceId}\u0000${row.goal}`),
    importRecords: (records) => writeRecords(writer(state), records),
  }
}

/** Adds a row unless the profile already holds one with the same key. */
function addOnce<T extends { profileId: string }>(
  rows: T[],
  row: T,
  key: (row: T) => string,
): boolean {
  if (rows.some((other) => other.profileId === row.profileId && key(other) === key(row)))
    return false
  rows.push(copy(row))
  return true
}

/** Re-homes a profile's rows; where the receiving profile holds the same key, its row stands. */
function moveRows<T extends { profileId: string }>(
  rows: T[],
  from: string,
  to: string,
  key: (row: T) => string,
): T[] {
  const held = new Set(rows.filter((row) => row.profileId === to).map(key))
  return rows.flatMap((row) => {
    if (row.profileId !== from) return [row]
    return held.has(key(row)) ? [] : [{ ...row, profileId: to }]
  })
}

function copyOrUndefined<T>(value: T | undefined): T | undefined {
  return value === undefined ? undefined : copy(value)
}
