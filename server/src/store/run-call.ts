import {
  emptySnapshot,
  type CallRequest,
  type CallSnapshot,
  type Planner,
  type WriteOp,
} from './call-batch.ts'
import type { IngestCall } from '../pipeline/ingest-call.ts'
import type { IngestResult } from '../pipeline/ingest-event.ts'
import { plannerOf } from '../pipeline/plan-call.ts'
import { StoreConflictError } from './store-conflict.ts'
import type { Store, StoreReader, StoreWriter } from './store.ts'

/** Longest chain of `read-more` answers one call may give before it counts as a conflict. */
const maxReads = 3

/** The reads a call's snapshot is made of. */
export type SnapshotReader = Pick<
  StoreReader,
  | 'messageSeen'
  | 'suppressedKeys'
  | 'profileIdByAnonymousId'
  | 'profileIdByUserId'
  | 'profile'
  | 'impressions'
  | 'accountIdByKey'
  | 'account'
  | 'accountKeys'
>

/**
 * Reads a call's neighbourhood through the plain reader methods: the generic snapshot every
 * engine can give, whatever it does faster.
 */
export async function readCallSnapshot(
  reader: SnapshotReader,
  request: CallRequest,
): Promise<CallSnapshot> {
  const snapshot = emptySnapshot()
  snapshot.messageSeen = await reader.messageSeen(request.messageKey)
  if (request.suppressionKeys.length > 0) {
    snapshot.suppressed = await reader.suppressedKeys(request.suppressionKeys)
  }
  const profileIds: string[] = []
  for (const anonymousId of new Set(request.anonymousIds)) {
    const profileId = await reader.profileIdByAnonymousId(anonymousId)
    if (profileId === undefined) continue
    snapshot.devices.push({ anonymousId, profileId })
    profileIds.push(profileId)
  }
  for (const userId of new Set(request.userIds)) {
    const profileId = await reader.profileIdByUserId(userId)
    if (profileId === undefined) continue
    snapshot.users.push({ userId, profileId })
    profileIds.push(profileId)
  }
  for (const id of new Set(profileIds)) {
    const profile = await reader.profile(id)
    if (profile === undefined) continue
    snapshot.profiles.push(profile)
    if (request.impressions) snapshot.impressions.push(...(await reader.impressions(id)))
  }
  const accountIds: string[] = []
  for (const key of new Set(request.accountKeys)) {
    const accountId = await reader.accountIdByKey(key)
    if (accountId === undefined) continue
    snapshot.accountKeys.push({ key, accountId })
    accountIds.push(accountId)
  }
  // An account's other keys matter only when the call names a company id nobody holds yet and
  // a domain found the account: the plan adopts it then, unless it has an id of its own.
  const unheldId = request.accountKeys.some(
    (key) => key.startsWith('id:') && !snapshot.accountKeys.some((found) => found.key === key),
  )
  for (const id of new Set(accountIds)) {
    const account = await reader.account(id)
    if (account !== undefined)
      snapshot.accounts.push({ account, keys: unheldId ? await reader.accountKeys(id) : [] })
  }
  return snapshot
}

/**
 * Applies a plan's writes in order. A message key another call claimed meanwhile means the plan
 * was made on a stale view: a conflict, so the engine re-plans (and then answers "duplicate").
 */
export async function applyWrites(writer: StoreWriter, writes: readonly WriteOp[]): Promise<void> {
  for (const write of writes) {
    switch (write.op) {
      case 'claimMessage':
        if (!(await writer.claimMessage(write.key, write.receivedAt))) {
          throw new StoreConflictError(`message ${write.key} was claimed by another call`)
        }
        break
      case 'putProfile':
        await writer.putProfile(write.profile)
        break
      case 'deleteProfile':
        await writer.deleteProfile(write.id)
        break
      case 'linkAnonymousId':
        await writer.linkAnonymousId(write.anonymousId, write.profileId, write.at)
        break
      case 'unlinkAnonymousId':
        await writer.unlinkAnonymousId(write.anonymousId)
        break
      case 'moveProfileData':
        await writer.moveProfileData(write.fromProfileId, write.toProfileId)
        break
      case 'putAccount':
        await writer.putAccount(write.account)
        break
      case 'linkAccountKey':
        await writer.linkAccountKey(write.key, write.accountId)
        break
      case 'appendMergeLog':
        await writer.appendMergeLog(write.entry)
        break
      case 'appendEvent':
        await writer.appendEvent(write.event)
        break
      case 'recordConversion':
        await writer.recordConversion(write.conversion)
        break
    }
  }
}

/**
 * Carries out a call inside one transaction of `store`: lock, read, plan, (read more, plan),
 * write, commit. The generic `Store.runCall` of engines whose transactions may hold locks.
 */
export function runCallInTransaction(
  store: Pick<Store, 'transaction'>,
  call: IngestCall,
): Promise<IngestResult> {
  const { request, plan } = plannerOf(call)
  return store.transaction((tx) =>
    runCallWith(tx, request, plan, (current) => readCallSnapshot(tx, current)),
  )
}

/**
 * A call inside an open transaction `tx`: locks, reads with `read` (an engine's faster snapshot
 * or the generic one), plans, reads more if asked, writes the batch.
 */
export async function runCallWith<T>(
  tx: StoreWriter,
  request: CallRequest,
  plan: Planner<T>,
  read: (request: CallRequest) => Promise<CallSnapshot>,
): Promise<T> {
  let current = request
  for (let reads = 1; reads <= maxReads; reads += 1) {
    await tx.lock(current.locks)
    const planned = plan(await read(current))
    if (planned.kind === 'write') {
      await applyWrites(tx, planned.writes)
      return planned.result
    }
    current = widen(current, planned.accountKeys)
  }
  throw new StoreConflictError('the call kept needing more of the store read')
}

/** The request with more account keys to read (and lock). */
export function widen(request: CallRequest, accountKeys: readonly string[]): CallRequest {
  const fresh = accountKeys.filter((key) => !request.accountKeys.includes(key))
  return {
    ...request,
    locks: fresh.map((key) => `account:${key}`),
    accountKeys: [...request.accountKeys, ...fresh],
  }
}
