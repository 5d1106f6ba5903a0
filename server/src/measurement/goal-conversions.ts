import type { Conversion, Impression } from './exposure.ts'

/** A goal as plain data: the experiences that count it and how long after a first impression. */
export interface GoalSpec {
  name: string
  experienceIds: readonly string[]
  /** The attribution window (ms) after a profile's first impression of an experience. */
  windowMs: number
  /** Per experience, its paused variations: their visitors' conversions are not counted. */
  paused: Readonly<Record<string, readonly string[]>>
}

/**
 * The conversions `goal` reached at `at` counts for a profile's impressions: one for every
 * experience that names it and whose first impression is at most the window old, unless that
 * impression's variation is paused. The store keeps one per profile, experience and goal. Pure.
 */
export function goalConversions(
  impressions: readonly Impression[],
  profileId: string,
  goal: GoalSpec,
  at: number,
): Conversion[] {
  return impressions
    .filter(
      (impression) =>
        goal.experienceIds.includes(impression.experienceId) &&
        goal.paused[impression.experienceId]?.includes(impression.variation) !== true &&
        at >= impression.at &&
        at <= impression.at + goal.windowMs,
    )
    .map((impression) => ({
      profileId,
      experienceId: impression.experienceId,
      goal: goal.name,
      at,
    }))
}
