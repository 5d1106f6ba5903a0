import { hash } from 'node:crypto'

/** A variation to pick with its relative weight. */
export interface Weighted {
  id: string
  weight: number
}

/** Where a visitor landed in an experience. */
export type Bucket = { control: true } | { control: false; variation: string }

/**
 * A stable number in [0, 1) for a profile in an experience: the first 48 bits of
 * SHA-256(`profileId:experienceId`). The profile id survives merges (the known user's id
 * stands), so the bucket does too; the experience id makes buckets independent across
 * experiences.
 */
export function bucketPoint(profileId: string, experienceId: string): number {
  const digest = hash('sha256', `${profileId}:${experienceId}`, 'buffer')
  return digest.readUIntBE(0, 6) / 2 ** 48
}

/**
 * Splits [0, 1): the first `holdout` share is the control group, the rest is shared among the
 * variations by weight. Same point, same answer, every time.
 */
export function pickBucket(
  point: number,
  holdout: number,
  variations: readonly Weighted[],
): Bucket {
  if (point < holdout || variations.length === 0) return { control: true }
  const total = variations.reduce((sum, variation) => sum + variation.weight, 0)
  let target = ((point - holdout) / (1 - holdout)) * total
  for (const variation of variations) {
    if (target < variation.weight) return { control: false, variation: variation.id }
    target -= variation.weight
  }
  // Rounding at the top edge: the last variation with weight takes it.
  const last = [...variations].reverse().find((variation) => variation.weight > 0)
  return last === undefined ? { control: true } : { control: false, variation: last.id }
}
