import { companyKeys, workEmailDomain } from '../accounts/account-keys.ts'
import type { Account, AccountLink, Profile } from '../profile/profile.ts'
import type { WriteOp } from '../store/call-batch.ts'
import type { JsonObject } from '../traits/json.ts'
import { materializeTraits } from '../traits/trait-tree.ts'
import { applyTraits } from './apply-traits.ts'
import type { IngestEvent } from './ingest-event.ts'
import type { SnapshotView } from './snapshot-view.ts'
import type { Warning } from './warnings.ts'

/**
 * Links the profile to its company account (SPEC section 4): company traits are deep-merged into
 * the account keyed by `company.id`, else by domain, else by the work email's domain; without
 * company traits, a work email links the profile to its domain's account unless an explicit
 * company link stands.
 */
export function resolveAccount(
  view: SnapshotView,
  writes: WriteOp[],
  profile: Profile,
  event: IngestEvent,
  options: { newId: () => string; emailMayHaveChanged: boolean },
  warnings: Warning[],
): Profile {
  const { company, at } = event
  if (company === null) {
    return { ...profile, account: applyLink(profile.account, { id: null, source: 'company', at }) }
  }
  if (company !== undefined) {
    const keyed = keyedCompany(company, profile)
    if (keyed !== undefined) {
      const account = upsertAccount(
        view,
        writes,
        keyed.keys,
        keyed.traits,
        event,
        options.newId,
        warnings,
      )
      return {
        ...profile,
        account: applyLink(profile.account, { id: account.id, source: 'company', at }),
      }
    }
    warnings.push({
      code: 'company_without_key',
      message:
        'Company traits need an id, a valid domain or a work email to find their account; they were dropped',
      path: event.type === 'group' ? 'groupId' : 'traits.company',
    })
  }
  if (!options.emailMayHaveChanged || profile.account?.source === 'company') return profile
  const domain = workEmailDomain(materializeTraits(profile.traits).email)
  if (domain === undefined) return profile
  const account = upsertAccount(
    view,
    writes,
    [`domain:${domain}`],
    { domain },
    event,
    options.newId,
    warnings,
  )
  if (profile.account?.id === account.id) return profile
  return {
    ...profile,
    account: applyLink(profile.account, { id: account.id, source: 'email', at }),
  }
}

/**
 * The company's lookup keys and traits. Without an id or a domain, the user's work email names
 * the company (`{name: 'Acme'}` from jane@acme.com is the account of acme.com), as it does when
 * there are no company traits at all; a free-mail address names none.
 */
function keyedCompany(
  company: JsonObject,
  profile: Profile,
): { keys: string[]; traits: JsonObject } | undefined {
  const keys = companyKeys(company)
  if (keys.length > 0) return { keys, traits: company }
  const domain = workEmailDomain(materializeTraits(profile.traits).email)
  if (domain === undefined) return undefined
  return { keys: [`domain:${domain}`], traits: { ...company, domain } }
}

/**
 * A new link replaces the current one when it is at least as strong and not older: company
 * traits outrank an email guess, and a late-arriving old event does not move a user back.
 */
function applyLink(current: AccountLink | null, incoming: AccountLink): AccountLink {
  if (current === null) return incoming
  if (current.source !== incoming.source) return incoming.source === 'company' ? incoming : current
  return incoming.at >= current.at ? incoming : current
}

/**
 * Finds the account by its first known key, or creates it, merges the traits in and claims the
 * keys nobody holds yet. A domain already held by an account with another company id is not
 * taken over: two companies may share a domain.
 */
function upsertAccount(
  view: SnapshotView,
  writes: WriteOp[],
  keys: string[],
  traits: JsonObject,
  event: IngestEvent,
  newId: () => string,
  warnings: Warning[],
): Account {
  const owners = new Map<string, string | undefined>()
  for (const key of keys) owners.set(key, view.accountIdByKey(key))
  let accountId = keys.map((key) => owners.get(key)).find((id) => id !== undefined)
  const byId = keys[0]?.startsWith('id:') === true
  if (byId && accountId !== undefined && owners.get(keys[0] ?? '') === undefined) {
    // Found only by domain: adopt that account unless it already belongs to another company id.
    const heldKeys = view.accountKeys(accountId)
    if (heldKeys.some((key) => key.startsWith('id:'))) accountId = undefined
  }
  const existing = accountId === undefined ? undefined : view.account(accountId)
  const base: Account = existing ?? {
    id: newId(),
    traits: {},
    createdAt: event.receivedAt,
    updatedAt: event.receivedAt,
  }
  const account: Account = {
    ...base,
    traits: applyTraits(base.traits, traits, event.at, 'traits.company', warnings),
    updatedAt: Math.max(base.updatedAt, event.receivedAt),
  }
  writes.push({ op: 'putAccount', account })
  for (const key of keys) {
    if (owners.get(key) === undefined)
      writes.push({ op: 'linkAccountKey', key, accountId: account.id })
  }
  return account
}
