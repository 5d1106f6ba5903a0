import type { CompiledExperience } from '../personalization/compile-config.ts'
import type { ExperienceStatus } from '../personalization/config-schema.ts'
import type { StoreReader } from '../store/store.ts'
import {
  goalReport,
  reportMethod,
  sampleRatioReport,
  type GoalReport,
  type SampleRatioReport,
  type Split,
} from './experience-report.ts'
import type { Verdict } from './stats/verdict.ts'

/** Everything known about how an experience performs: the report route's and console's body. */
export interface ExperienceReport {
  experience: string
  status: ExperienceStatus
  /** A concluded experience's winner and conclusion time (ISO 8601): the report counts nothing after it. */
  concluded?: { winner: string; at: string }
  holdout: number
  attributionWindowDays: number
  /** Exposed visitors per arm (`control` and each variation). */
  visitors: Record<string, number>
  health: { sampleRatio: SampleRatioReport | null }
  /** The first goal's verdict: the experience's headline. */
  verdict: Verdict
  goals: GoalReport[]
  method: typeof reportMethod
}

/** The configured split of a compiled experience. */
export function splitOf(experience: CompiledExperience): Split {
  return {
    holdout: experience.holdout,
    variations: experience.variations.map((variation) => ({
      id: variation.id,
      weight: variation.weight,
    })),
  }
}

/**
 * Reads an experience's counts and builds its report, in one consistent read. A concluded
 * experience's report is frozen: nothing after its conclusion time is counted.
 */
export async function readExperienceReport(
  reader: StoreReader,
  experience: CompiledExperience,
  attributionWindowMs: number,
): Promise<ExperienceReport> {
  const split = splitOf(experience)
  // Exposure alone (no goal matches the empty name), so an experience without goals still
  // shows who saw what.
  const until = experience.concludedAt
  const exposure = await reader.experienceCounts(experience.id, '', 0, until)
  const visitors: Record<string, number> = { control: 0 }
  for (const variation of experience.variations) visitors[variation.id] = 0
  for (const count of exposure) {
    const key = count.control ? 'control' : count.variation
    visitors[key] = (visitors[key] ?? 0) + count.visitors
  }
  const sampleRatio = sampleRatioReport(new Map(Object.entries(visitors)), split)
  const goals: GoalReport[] = []
  for (const goal of experience.goals) {
    const counts = await reader.experienceCounts(experience.id, goal, attributionWindowMs, until)
    goals.push(goalReport(goal, counts, split, sampleRatio))
  }
  return {
    experience: experience.id,
    status: experience.status,
    ...(experience.status === 'concluded' && until !== undefined
      ? { concluded: { winner: experience.winner ?? 'control', at: new Date(until).toISOString() } }
      : {}),
    holdout: experience.holdout,
    attributionWindowDays: attributionWindowMs / 86_400_000,
    visitors,
    health: { sampleRatio },
    verdict: goals[0]?.verdict ?? noGoalVerdict(sampleRatio),
    goals,
    method: reportMethod,
  }
}

function noGoalVerdict(sampleRatio: SampleRatioReport | null): Verdict {
  if (sampleRatio?.mismatch === true) {
    return { status: 'invalid', reason: 'Sample ratio mismatch: the split is broken.' }
  }
  return { status: 'invalid', reason: 'No goals: add goals to the experience to measure it.' }
}

/** One arm's day in the charts: exposed that day, and cumulative rate up to that day. */
export interface DailyPoint {
  day: string
  exposed: number
  cumulativeExposed: number
  cumulativeConversions: number
  cumulativeRate: number
}

/**
 * Per arm, each day with impressions: the visitors first exposed that day and the cumulative
 * conversion rate of everyone exposed so far (conversions counted on their impression's day,
 * so the last point equals the report's rate).
 */
export async function readDailySeries(
  reader: StoreReader,
  experience: CompiledExperience,
  goal: string,
  attributionWindowMs: number,
): Promise<{ arm: string; points: DailyPoint[] }[]> {
  const rows = await reader.experienceDailyCounts(
    experience.id,
    goal,
    attributionWindowMs,
    experience.concludedAt,
  )
  const days = [...new Set(rows.map((row) => row.day))].sort()
  const arms = ['control', ...experience.variations.map((variation) => variation.id)]
  return arms.map((armId) => {
    let exposed = 0
    let converted = 0
    const points = days.map((day): DailyPoint => {
      const today = rows.filter(
        (row) => row.day === day && (row.control ? 'control' : row.variation) === armId,
      )
      const seen = today.reduce((sum, row) => sum + row.visitors, 0)
      exposed += seen
      converted += today.reduce((sum, row) => sum + row.conversions, 0)
      return {
        day,
        exposed: seen,
        cumulativeExposed: exposed,
        cumulativeConversions: converted,
        cumulativeRate: exposed > 0 ? converted / exposed : 0,
      }
    })
    return { arm: armId, points }
  })
}
