import { normalizeDomain } from '../accounts/normalize-domain.ts'
import type { Profile } from '../profile/profile.ts'
import type { StoreReader } from '../store/store.ts'
import { materializeTraits } from '../traits/trait-tree.ts'

/** What a console search looks in. */
export const searchKinds = ['userId', 'email', 'anonymousId', 'account'] as const
export type SearchKind = (typeof searchKinds)[number]

/** Most profiles a search lists. */
export const searchLimit = 50

/** A profile in a result list. */
export interface ProfileHit {
  id: string
  userId: string | null
  email: string | null
}

/**
 * Finds profiles by user id, anonymous id (exact, indexed), account (its id, a company id or a
 * domain, then the profiles linked to it, indexed) or email (a scan of stored traits, then the
 * exact, case-insensitive `email` trait).
 */
export async function searchProfiles(
  reader: StoreReader,
  kind: SearchKind,
  query: string,
): Promise<ProfileHit[]> {
  const q = query.trim()
  if (q === '') return []
  let ids: string[] = []
  if (kind === 'userId') ids = [await reader.profileIdByUserId(q)].filter(isString)
  if (kind === 'anonymousId') ids = [await reader.profileIdByAnonymousId(q)].filter(isString)
  if (kind === 'account') {
    const accountId = await findAccountId(reader, q)
    ids = accountId === undefined ? [] : await reader.profileIdsByAccount(accountId, searchLimit)
  }
  if (kind === 'email') {
    const wanted = q.toLowerCase()
    const candidates = await reader.profilesMentioning(q, searchLimit * 4)
    return candidates
      .filter((profile) => emailOf(profile)?.toLowerCase() === wanted)
      .slice(0, searchLimit)
      .map(hit)
  }
  const hits: ProfileHit[] = []
  for (const id of ids) {
    const profile = await reader.profile(id)
    if (profile !== undefined) hits.push(hit(profile))
  }
  return hits
}

async function findAccountId(reader: StoreReader, q: string): Promise<string | undefined> {
  if ((await reader.account(q)) !== undefined) return q
  const domain = normalizeDomain(q)
  return (
    (await reader.accountIdByKey(`id:${q}`)) ??
    (domain === undefined ? undefined : await reader.accountIdByKey(`domain:${domain}`))
  )
}

function emailOf(profile: Profile): string | null {
  const email = materializeTraits(profile.traits).email
  return typeof email === 'string' ? email : null
}

function hit(profile: Profile): ProfileHit {
  return { id: profile.id, userId: profile.userId, email: emailOf(profile) }
}

function isString(value: string | undefined): value is string {
  return value !== undefined
}
