import type { WriteOp } from '../call-batch.ts'
import { changeKey } from '../change-feed.ts'
import * as rows from '../store-rows.ts'

/*
 * The write half of a group of calls as the argument of `parley_write_calls` (its migration in
 * postgres-schema.ts): one JSON array per call, one `[kind, …values]` array per write, values in
 * the column order of store-rows.ts. Documents stay JSON text inside the JSON, as the tables keep
 * them.
 */

/** One call's writes in the function's format. */
export function encodeWrites(writes: readonly WriteOp[]): unknown[][] {
  return writes.map((write): unknown[] => {
    switch (write.op) {
      case 'claimMessage':
        return ['claim', write.key, write.receivedAt]
      case 'putProfile':
        return ['profile', ...rows.profileParams(write.profile)]
      case 'deleteProfile':
        return ['delete', write.id]
      case 'linkAnonymousId':
        return ['link', write.anonymousId, write.profileId, write.at]
      case 'unlinkAnonymousId':
        return ['unlink', write.anonymousId]
      case 'moveProfileData':
        return ['move', write.fromProfileId, write.toProfileId]
      case 'putAccount':
        return ['account', ...rows.accountParams(write.account)]
      case 'linkAccountKey':
        return ['key', write.key, write.accountId]
      case 'appendMergeLog':
        return ['log', ...rows.mergeLogParams(write.entry)]
      case 'appendEvent':
        return ['event', ...rows.eventParams(write.event)]
      case 'recordConversion': {
        const { profileId, experienceId, goal, at } = write.conversion
        return ['conversion', profileId, experienceId, goal, at]
      }
    }
  })
}

/** What `parley_write_calls` answered. */
export interface WriteOutcome {
  /** Per merged-away profile, the devices its merge relinked. */
  moved: Record<string, string[]>
}

/**
 * The change keys (see change-feed.ts) of one call's writes once committed: the same keys
 * `trackChanges` marks for the statement-grain writer, the devices a merge relinked included.
 */
export function changedKeys(
  writes: readonly WriteOp[],
  moved: WriteOutcome['moved'],
  into: Set<string>,
): void {
  const mark = (...keys: string[]) => {
    for (const key of keys) into.add(key)
  }
  for (const write of writes) {
    switch (write.op) {
      case 'putProfile':
        mark(changeKey.profile(write.profile.id))
        break
      case 'deleteProfile':
        mark(changeKey.profile(write.id), changeKey.impressions(write.id))
        break
      case 'linkAnonymousId':
        mark(changeKey.device(write.anonymousId), changeKey.profile(write.profileId))
        break
      case 'unlinkAnonymousId':
        mark(changeKey.device(write.anonymousId))
        break
      case 'moveProfileData': {
        const { fromProfileId: from, toProfileId: to } = write
        mark(changeKey.profile(from), changeKey.profile(to))
        mark(changeKey.impressions(from), changeKey.impressions(to))
        mark(...(moved[from] ?? []).map(changeKey.device))
        break
      }
      case 'putAccount':
        mark(changeKey.account(write.account.id))
        break
      case 'linkAccountKey':
        mark(changeKey.account(write.accountId))
        break
      case 'claimMessage':
      case 'appendMergeLog':
      case 'appendEvent':
      case 'recordConversion':
        break
    }
  }
}
