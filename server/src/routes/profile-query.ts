import { z } from 'zod'
import { parseWith } from '../contract/parse-with.ts'
import { AppError } from '../errors/app-error.ts'
import { findProfileId } from '../store/profile-neighbourhood.ts'
import type { ProfileKey, Store, StoreReader } from '../store/store.ts'

/** An id a profile may be known by: never a NUL, which no engine keeps (PostgreSQL refuses it). */
const knownId = z
  .string()
  .min(1)
  .refine((id) => !id.includes('\u0000'), 'contains a NUL character')

/** `?userId=|anonymousId=` of the admin profile routes. */
export const profileQuery = z
  .object({ userId: knownId.optional(), anonymousId: knownId.optional() })
  .refine((query) => query.userId !== undefined || query.anonymousId !== undefined, {
    message: 'give userId or anonymousId',
    path: ['userId'],
  })

/** Which profile an admin request names: `?userId=` or `?anonymousId=`. */
export type ProfileQuery = z.output<typeof profileQuery>

/** Reads `?userId=|anonymousId=` from a query string, or throws a 400 naming the field. */
export function readProfileQuery(query: unknown): ProfileQuery {
  return parseWith(profileQuery, query, 'query')
}

/** The store's key for the profile the query names (its user id first). */
export function profileKeyOf(query: ProfileQuery): ProfileKey {
  return query.userId !== undefined
    ? { kind: 'userId', value: query.userId }
    : { kind: 'anonymousId', value: query.anonymousId ?? '' }
}

/** The 404 for a query that names no profile. */
export function profileNotFound(query: ProfileQuery): AppError {
  const by = query.userId !== undefined ? 'userId' : 'anonymousId'
  return new AppError('profile_not_found', `No profile is known by this ${by}`, {
    path: `query.${by}`,
  })
}

/**
 * Reads something about the profile a `?userId=|anonymousId=` query names, in one consistent
 * read; a 400 for a bad query, a 404 when no profile (or nothing) is found.
 */
export async function readNamedProfile<T>(
  store: Store,
  rawQuery: unknown,
  read: (reader: StoreReader, profileId: string) => Promise<T | undefined>,
): Promise<T> {
  const query = readProfileQuery(rawQuery)
  const found = await store.read(async (reader) => {
    const profileId = await findProfileId(reader, profileKeyOf(query))
    return profileId === undefined ? undefined : read(reader, profileId)
  })
  if (found === undefined) throw profileNotFound(query)
  return found
}
