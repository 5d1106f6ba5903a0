import type { Weighted } from './bucketing.ts'
import type { ExperienceConfig, PersonalizationConfig } from './config-schema.ts'

/**
 * What a config change does to the visitors of an experience that has been live (running or
 * paused), so the editor can say it plainly before publishing:
 *
 * - `split`: the holdout or the weights changed. Visitors with a recorded bucket keep it; of the
 *   visitors not bucketed yet, `newVisitorsMoved` (0..1) land in another arm than they would have.
 * - `variation-removed`: its recorded visitors are bucketed again among the arms left: the one
 *   change that moves visitors who already have a bucket (`movesRecordedVisitors`), so publishing
 *   it must be confirmed.
 * - `variation-paused` / `variation-resumed`: its visitors see the control's content (their
 *   bucket is kept) / see the variation again; new visitors are split among the others.
 * - `paused` / `resumed` / `concluded` / `drafted`: the experience stops or starts serving, or
 *   serves its winner to everyone.
 */
export interface BucketImpact {
  experience: string
  variation?: string
  change:
    | 'split'
    | 'variation-removed'
    | 'variation-paused'
    | 'variation-resumed'
    | 'paused'
    | 'resumed'
    | 'concluded'
    | 'drafted'
  /** Whether visitors who already have a recorded bucket would change arm. */
  movesRecordedVisitors: boolean
  /** For `split`: the share of not-yet-bucketed visitors who land in another arm (0..1). */
  newVisitorsMoved?: number
  message: string
}

/** Statuses in which visitors have been bucketed and keep their bucket. */
const live = new Set(['running', 'paused'])

/**
 * Every bucket impact of going from `before` to `after` (pure), experience by experience in
 * `after`'s order. Experiences that were never live (new, or drafts) have nobody to move.
 */
export function bucketImpacts(
  before: PersonalizationConfig,
  after: PersonalizationConfig,
): BucketImpact[] {
  const previous = new Map(before.experiences.map((experience) => [experience.id, experience]))
  return after.experiences.flatMap((next) => {
    const old = previous.get(next.id)
    if (old === undefined || !live.has(old.status)) return []
    return experienceImpacts(old, next)
  })
}

function experienceImpacts(old: ExperienceConfig, next: ExperienceConfig): BucketImpact[] {
  const id = next.id
  if (next.status === 'concluded') {
    return [
      {
        experience: id,
        change: 'concluded',
        movesRecordedVisitors: false,
        message: `Everyone in ${id}'s audience will see ${next.winner === 'control' ? "the control's content (the page's default)" : `the variation ${String(next.winner)}`}, holdout included; its report is frozen from now.`,
      },
    ]
  }
  if (next.status === 'draft') {
    return [
      {
        experience: id,
        change: 'drafted',
        movesRecordedVisitors: false,
        message: `${id} goes back to draft: it stops serving and counting; recorded buckets are kept.`,
      },
    ]
  }
  const impacts: BucketImpact[] = []
  if (old.status !== next.status) {
    impacts.push(
      next.status === 'paused'
        ? {
            experience: id,
            change: 'paused',
            movesRecordedVisitors: false,
            message: `${id} stops serving and counting; visitors keep their bucket for when it resumes.`,
          }
        : {
            experience: id,
            change: 'resumed',
            movesRecordedVisitors: false,
            message: `${id} serves again; visitors see the arm they were bucketed in before.`,
          },
    )
  }
  const remaining = new Map(next.variations.map((variation) => [variation.id, variation]))
  for (const variation of old.variations) {
    const kept = remaining.get(variation.id)
    if (kept === undefined) {
      impacts.push({
        experience: id,
        variation: variation.id,
        change: 'variation-removed',
        movesRecordedVisitors: true,
        message: `Visitors already bucketed in ${id}'s variation ${variation.id} will be bucketed again among the arms left and may see different content.`,
      })
    } else if (kept.paused !== variation.paused) {
      impacts.push({
        experience: id,
        variation: variation.id,
        change: kept.paused ? 'variation-paused' : 'variation-resumed',
        movesRecordedVisitors: false,
        message: kept.paused
          ? `Visitors bucketed in ${variation.id} keep that bucket but see the control's content (the page's default), and their conversions are not counted; new visitors are split among the other variations.`
          : `Visitors bucketed in ${variation.id} see it again; new visitors may be bucketed in it again.`,
      })
    }
  }
  const moved = movedShare(splitOf(old), splitOf(next))
  if (moved > 0) {
    impacts.push({
      experience: id,
      change: 'split',
      movesRecordedVisitors: false,
      newVisitorsMoved: moved,
      message: `Visitors who already have a bucket in ${id} keep it. Of the visitors not bucketed yet, ${percent(moved)} will land in another arm than under the current split. The sample-ratio check compares with the new split, so it may report a mismatch while earlier visitors dominate.`,
    })
  }
  return impacts
}

/** The split new visitors are bucketed by: holdout, then unpaused variations by weight. */
interface Split {
  holdout: number
  weights: Weighted[]
}

function splitOf(experience: ExperienceConfig): Split {
  return {
    holdout: experience.holdout,
    weights: experience.variations.map((variation) => ({
      id: variation.id,
      weight: variation.paused ? 0 : variation.weight,
    })),
  }
}

/**
 * Where each arm sits in the bucket space [0, 1), as `pickBucket` lays it out: `control` the
 * first `holdout` share, then each variation in order, in proportion to its weight.
 */
export function armRanges(
  holdout: number,
  weights: readonly Weighted[],
): Map<string, [number, number]> {
  const ranges = new Map<string, [number, number]>()
  const total = weights.reduce((sum, variation) => sum + variation.weight, 0)
  if (total === 0) {
    ranges.set('control', [0, 1])
    return ranges
  }
  ranges.set('control', [0, holdout])
  let start = holdout
  for (const variation of weights) {
    const end = start + ((1 - holdout) * variation.weight) / total
    if (end > start) ranges.set(variation.id, [start, end])
    start = end
  }
  return ranges
}

/** The share of bucket points whose arm differs between two splits (0 = nobody moves). */
export function movedShare(before: Split, after: Split): number {
  const old = armRanges(before.holdout, before.weights)
  const next = armRanges(after.holdout, after.weights)
  let stays = 0
  for (const [arm, [start, end]] of old) {
    const range = next.get(arm)
    if (range === undefined) continue
    stays += Math.max(0, Math.min(end, range[1]) - Math.max(start, range[0]))
  }
  // Rounding noise of the additions is not a move.
  const moved = 1 - stays
  return moved < 1e-9 ? 0 : Math.min(1, moved)
}

function percent(share: number): string {
  const value = share * 100
  return `${value < 1 ? value.toPrecision(2) : Math.round(value)} %`
}
