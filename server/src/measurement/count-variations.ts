import type { Conversion, DailyCount, Impression, VariationCount } from './exposure.ts'

/**
 * Counts, per variation of an experience, the profiles shown it and those that reached `goal`
 * within `windowMs` after their impression, leaving out impressions and conversions after
 * `until`. The reference for what the SQL engines compute; the memory engine uses it directly.
 */
export function countVariations(
  impressions: readonly Impression[],
  conversions: readonly Conversion[],
  experienceId: string,
  goal: string,
  windowMs: number,
  until = Number.MAX_SAFE_INTEGER,
): VariationCount[] {
  const reached = new Map<string, number>()
  for (const conversion of conversions) {
    if (
      conversion.experienceId === experienceId &&
      conversion.goal === goal &&
      conversion.at <= until
    ) {
      reached.set(conversion.profileId, conversion.at)
    }
  }
  const counts = new Map<string, VariationCount>()
  for (const impression of impressions) {
    if (impression.experienceId !== experienceId || impression.at > until) continue
    const key = `${impression.control ? 1 : 0}:${impression.variation}`
    const count = counts.get(key) ?? {
      variation: impression.variation,
      control: impression.control,
      visitors: 0,
      conversions: 0,
    }
    count.visitors += 1
    const at = reached.get(impression.profileId)
    if (at !== undefined && at >= impression.at && at <= impression.at + windowMs) {
      count.conversions += 1
    }
    counts.set(key, count)
  }
  return [...counts.values()].sort(
    (a, b) =>
      Number(b.control) - Number(a.control) ||
      (a.variation < b.variation ? -1 : a.variation > b.variation ? 1 : 0),
  )
}

/** `countVariations` per UTC day of the impression: the reference of `experienceDailyCounts`. */
export function countDaily(
  impressions: readonly Impression[],
  conversions: readonly Conversion[],
  experienceId: string,
  goal: string,
  windowMs: number,
  until = Number.MAX_SAFE_INTEGER,
): DailyCount[] {
  const days = new Map<string, Impression[]>()
  for (const impression of impressions) {
    if (impression.experienceId !== experienceId || impression.at > until) continue
    const day = new Date(impression.at).toISOString().slice(0, 10)
    days.set(day, [...(days.get(day) ?? []), impression])
  }
  return [...days.keys()]
    .sort()
    .flatMap((day) =>
      countVariations(days.get(day) ?? [], conversions, experienceId, goal, windowMs, until).map(
        (count) => ({ day, ...count }),
      ),
    )
}
