import type { Impression } from '../measurement/exposure.ts'
import { decodeProfileDoc, encodeProfileDoc } from './profile-doc.ts'
import type { Account, MergeKind, MergeLogEntry, Profile, StoredEvent } from '../profile/profile.ts'

/** A row as an SQL driver returns it: column name to value. */
export type Row = Record<string, unknown>

/*
 * Row mappers and parameter lists shared by the SQL engines (SQLite, PostgreSQL): both use the
 * same column names and keep documents as JSON text, so only the SQL text differs per engine.
 * The `…Params` functions list values in the column order the engines' INSERTs use.
 */

/** `(id, user_id, account_id, doc, created_at, updated_at)` of a profile. */
export function profileParams(profile: Profile): unknown[] {
  return [
    profile.id,
    profile.userId,
    profile.account?.id ?? null,
    encodeProfileDoc(profile),
    profile.createdAt,
    profile.updatedAt,
  ]
}

export function toProfile(row: Row): Profile {
  const doc = decodeProfileDoc(
    row.doc as string,
    (row.account_id as string | null) ?? null,
    Number(row.created_at),
  )
  return {
    id: row.id as string,
    userId: (row.user_id as string | null) ?? null,
    account: doc.account,
    traits: doc.traits,
    visitor: doc.visitor,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  }
}

/** `(id, doc, created_at, updated_at)` of an account. */
export function accountParams(account: Account): unknown[] {
  return [
    account.id,
    JSON.stringify({ traits: account.traits }),
    account.createdAt,
    account.updatedAt,
  ]
}

export function toAccount(row: Row): Account {
  const doc = JSON.parse(row.doc as string) as Pick<Account, 'traits'>
  return {
    id: row.id as string,
    traits: doc.traits,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  }
}

/** `(at, kind, from_profile_id, into_profile_id, anonymous_id, user_id, reason, message_id)`. */
export function mergeLogParams(entry: MergeLogEntry): unknown[] {
  return [
    entry.at,
    entry.kind,
    entry.fromProfileId,
    entry.intoProfileId,
    entry.anonymousId,
    entry.userId,
    entry.reason,
    entry.messageId,
  ]
}

export function toMergeLogEntry(row: Row): MergeLogEntry {
  return {
    at: Number(row.at),
    kind: row.kind as MergeKind,
    fromProfileId: row.from_profile_id as string | null,
    intoProfileId: row.into_profile_id as string,
    anonymousId: row.anonymous_id as string | null,
    userId: row.user_id as string | null,
    reason: row.reason as string,
    messageId: row.message_id as string | null,
  }
}

/** `(profile_id, type, name, at, received_at, message_id, properties)` of an event. */
export function eventParams(event: StoredEvent): unknown[] {
  return [
    event.profileId,
    event.type,
    event.name,
    event.at,
    event.receivedAt,
    event.messageId,
    JSON.stringify(event.properties),
  ]
}

export function toEvent(row: Row): StoredEvent {
  return {
    profileId: row.profile_id as string,
    type: row.type as StoredEvent['type'],
    name: row.name as string | null,
    at: Number(row.at),
    receivedAt: Number(row.received_at),
    messageId: row.message_id as string,
    properties: JSON.parse(row.properties as string) as Record<string, unknown>,
  }
}

/** An impression row; `control` is 0/1 in SQLite and a boolean in PostgreSQL. */
export function toImpression(row: Row): Impression {
  return {
    profileId: row.profile_id as string,
    experienceId: row.experience_id as string,
    variation: row.variation as string,
    control: row.control === 1 || row.control === true,
    at: Number(row.at),
  }
}
