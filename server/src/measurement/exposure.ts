/** A profile's first exposure to an experience: the variation (or control) it was shown. */
export interface Impression {
  profileId: string
  experienceId: string
  /** The variation id, or `control` for the holdout. */
  variation: string
  control: boolean
  /** When it was first shown (ms); the attribution window starts here. */
  at: number
}

/** A goal reached by a profile exposed to an experience; counted once per profile and goal. */
export interface Conversion {
  profileId: string
  experienceId: string
  goal: string
  at: number
}

/** Visitors and converted visitors of one variation (or control) for one goal. */
export interface VariationCount {
  variation: string
  control: boolean
  visitors: number
  conversions: number
}

/** One arm's count of one UTC day of first impressions (`YYYY-MM-DD`). */
export interface DailyCount extends VariationCount {
  day: string
}
