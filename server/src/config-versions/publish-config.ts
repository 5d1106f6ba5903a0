import type { AuditAction } from '../audit/audit-entry.ts'
import { AppError } from '../errors/app-error.ts'
import { bucketImpacts, type BucketImpact } from '../personalization/bucket-impact.ts'
import type { ExperienceStatus, PersonalizationConfig } from '../personalization/config-schema.ts'
import { validatePersonalizationConfig } from '../personalization/load-config.ts'
import { configLock } from '../store/authoring-store.ts'
import type { StoreWriter } from '../store/store.ts'
import { diffConfigs, summarizeDiff, type ConfigDiff } from './config-diff.ts'
import { versionMeta, type ConfigVersion, type VersionKind } from './config-version.ts'
import { invalidConfig } from './invalid-config.ts'

/*
 * Every way a config version is made: publish (the console, `parley config import`), roll back,
 * change a status, seed an empty store. Each runs inside the caller's transaction, takes the
 * `config` lock, checks the version it was made from is still the newest (optimistic: a stale
 * base is refused with `config_version_conflict` and nothing is written), appends the version
 * and its audit entry. No effect outside `tx`: an engine may run them again after a conflict.
 */

/** Who makes a change and when. */
export interface Change {
  /** A console user's name, `operator`, or the command's name. */
  author: string
  at: number
  note: string
}

/** A version made, what it changed, and what that does to visitors' buckets. */
export interface Published {
  version: ConfigVersion
  /** From the version in force before (every item added for the first version). */
  diff: ConfigDiff
  impacts: BucketImpact[]
}

/** Versions listed in a conflict's details, newest first. Default: 20. */
const conflictListed = 20

/**
 * Publishes `document` as the next version. `baseVersion` is the version it was edited from
 * (null into an empty store): when another version was published since, it is refused. A
 * change that would move visitors who already have a recorded bucket (a removed variation) is
 * refused with `confirmation_required` unless `confirmMoves`.
 */
export async function publishConfig(
  tx: StoreWriter,
  input: Change & {
    document: unknown
    baseVersion: number | null
    kind: Exclude<VersionKind, 'rollback'>
    confirmMoves?: boolean
  },
): Promise<Published> {
  const config = checked(input.document, 'published')
  await tx.lock([configLock])
  const latest = await tx.latestConfigVersion()
  await assertBase(tx, latest, input.baseVersion)
  return commit(tx, latest, {
    ...input,
    document: stampConclusions(config, latest?.document, input.at),
    restoredFrom: null,
    action: input.kind,
    subject: null,
  })
}

/**
 * Makes a new version equal to version `to` (a rollback is never a rewrite of history).
 * `baseVersion` is the version in force when the person chose to roll back: refused when another
 * was published since, as a publish is, since the rollback would replace it whole.
 */
export async function rollbackConfig(
  tx: StoreWriter,
  input: Change & { to: number; baseVersion: number; confirmMoves?: boolean },
): Promise<Published> {
  await tx.lock([configLock])
  const latest = await tx.latestConfigVersion()
  await assertBase(tx, latest, input.baseVersion)
  const target = await tx.configVersion(input.to)
  if (target === undefined) {
    throw new AppError('config_version_not_found', `There is no config version ${input.to}`, {
      path: 'body.version',
    })
  }
  if (target.number === latest?.number) {
    throw new AppError('invalid_field', `Version ${target.number} is already in force`, {
      path: 'body.version',
    })
  }
  return commit(tx, latest, {
    ...input,
    note: input.note === '' ? `Rolled back to version ${target.number}` : input.note,
    document: target.document,
    kind: 'rollback',
    restoredFrom: target.number,
    action: 'rollback',
    subject: null,
  })
}

/** A status change of one experience, or the pause of one of its variations. */
export type StatusChange =
  | { experience: string; status: ExperienceStatus; winner?: string }
  | { experience: string; variation: string; paused: boolean }

/**
 * Changes one experience's status (concluding stamps the time and names the winner) or pauses
 * and resumes one variation, as a new version made from the newest. With `baseVersion`, refused
 * when another version was published since it.
 */
export async function changeStatus(
  tx: StoreWriter,
  input: Change & { change: StatusChange; baseVersion?: number; confirmMoves?: boolean },
): Promise<Published> {
  await tx.lock([configLock])
  const latest = await tx.latestConfigVersion()
  if (input.baseVersion !== undefined) await assertBase(tx, latest, input.baseVersion)
  if (latest === undefined) {
    throw new AppError('config_version_not_found', 'There is no config version to change yet')
  }
  const { change } = input
  const document = structuredClone(latest.document)
  const experience = document.experiences.find((candidate) => candidate.id === change.experience)
  if (experience === undefined) {
    throw new AppError(
      'experience_not_found',
      `No experience "${change.experience}" in version ${latest.number}`,
      {
        path: 'body.experience',
      },
    )
  }
  let summary: string
  if ('variation' in change) {
    const variation = experience.variations.find((candidate) => candidate.id === change.variation)
    if (variation === undefined) {
      throw new AppError(
        'variation_not_found',
        `Experience "${experience.id}" has no variation "${change.variation}"`,
        { path: 'body.variation' },
      )
    }
    variation.paused = change.paused
    summary = `${experience.id}: variation ${variation.id} ${change.paused ? 'paused' : 'resumed'}`
  } else {
    const from = experience.status
    experience.status = change.status
    delete experience.concludedAt
    delete experience.winner
    if (change.status === 'concluded') {
      if (change.winner !== undefined) experience.winner = change.winner
      experience.concludedAt = new Date(input.at).toISOString()
    }
    summary = `${experience.id}: ${from} → ${change.status}${change.status === 'concluded' ? ` (winner ${String(change.winner)})` : ''}`
  }
  const config = checked(document, 'changed')
  return commit(tx, latest, {
    ...input,
    note: input.note === '' ? summary : input.note,
    document: config,
    kind: 'publish',
    restoredFrom: null,
    action: 'status',
    subject: change.experience,
    summary,
  })
}

/**
 * Makes version 1 from `document` when the store has no version (the `PARLEY_CONFIG` file at
 * start); returns undefined, changing nothing, when it has one. Safe when several instances
 * start at once: one seeds, the others find its version.
 */
export async function seedConfig(
  tx: StoreWriter,
  input: Change & { document: unknown },
): Promise<ConfigVersion | undefined> {
  const config = checked(input.document, 'seeded')
  await tx.lock([configLock])
  if ((await tx.latestConfigVersion()) !== undefined) return undefined
  const published = await commit(tx, undefined, {
    ...input,
    document: stampConclusions(config, undefined, input.at),
    kind: 'seed',
    restoredFrom: null,
    action: 'seed',
    subject: null,
  })
  return published.version
}

/** The loader's verdict, or `invalid_config` with every issue. */
function checked(document: unknown, verb: string): PersonalizationConfig {
  const result = validatePersonalizationConfig(document)
  if (result.ok) return result.config
  throw invalidConfig(result.issues, verb)
}

/**
 * Refuses a change made from another version than the newest, saying who published what since
 * (`config_version_conflict`, 409). Nothing is written.
 */
async function assertBase(
  tx: StoreWriter,
  latest: ConfigVersion | undefined,
  baseVersion: number | null,
): Promise<void> {
  const current = latest?.number ?? null
  if (current === baseVersion) return
  const since = (await tx.configVersions(null, conflictListed))
    .filter((version) => baseVersion === null || version.number > baseVersion)
    .map(versionMeta)
  const who = since
    .slice(0, 3)
    .map((v) => `${v.author} published version ${v.number}${v.note === '' ? '' : ` ("${v.note}")`}`)
    .join(', ')
  throw new AppError(
    'config_version_conflict',
    baseVersion === null
      ? `Version ${String(current)} is in force already (${who}); nothing was published. Start from it and make your change again.`
      : `This change was made from version ${baseVersion}, but version ${String(current)} is in force now: ${who || 'the versions after it were removed'}. Nothing was published: load version ${String(current)} and make your change again.`,
    {
      path: 'body.baseVersion',
      details: { baseVersion, currentVersion: current, publishedSince: since },
    },
  )
}

/** Appends the next version and its audit entry. */
async function commit(
  tx: StoreWriter,
  latest: ConfigVersion | undefined,
  input: Change & {
    document: PersonalizationConfig
    kind: VersionKind
    restoredFrom: number | null
    action: AuditAction
    subject: string | null
    summary?: string
    confirmMoves?: boolean
  },
): Promise<Published> {
  const impacts = latest === undefined ? [] : bucketImpacts(latest.document, input.document)
  const moving = impacts.filter((impact) => impact.movesRecordedVisitors)
  if (moving.length > 0 && input.confirmMoves !== true && input.kind !== 'import') {
    throw new AppError(
      'confirmation_required',
      `${moving.map((impact) => impact.message).join(' ')} Confirm to publish anyway.`,
      { path: 'body.confirmMoves', details: { impacts } },
    )
  }
  const diff = diffConfigs(latest?.document, input.document)
  const version: ConfigVersion = {
    number: (latest?.number ?? 0) + 1,
    kind: input.kind,
    author: input.author,
    at: input.at,
    note: input.note,
    baseVersion: latest?.number ?? null,
    restoredFrom: input.restoredFrom,
    document: input.document,
  }
  await tx.appendConfigVersion(version)
  await tx.appendAuditEntry({
    at: input.at,
    actor: input.author,
    action: input.action,
    fromVersion: latest?.number ?? null,
    toVersion: version.number,
    subject: input.subject,
    summary:
      input.summary ??
      (input.restoredFrom === null
        ? summarizeDiff(diff)
        : `restored version ${input.restoredFrom}: ${summarizeDiff(diff)}`),
  })
  return { version, diff, impacts }
}

/**
 * Fills in the conclusion time of every concluded experience that lacks one: the base's, when it
 * was already concluded there with the same winner; otherwise `at` (concluded now).
 */
export function stampConclusions(
  config: PersonalizationConfig,
  base: PersonalizationConfig | undefined,
  at: number,
): PersonalizationConfig {
  const before = new Map((base?.experiences ?? []).map((experience) => [experience.id, experience]))
  return {
    ...config,
    experiences: config.experiences.map((experience) => {
      if (experience.status !== 'concluded' || experience.concludedAt !== undefined)
        return experience
      const old = before.get(experience.id)
      const kept =
        old?.status === 'concluded' && old.winner === experience.winner
          ? old.concludedAt
          : undefined
      return { ...experience, concludedAt: kept ?? new Date(at).toISOString() }
    }),
  }
}
