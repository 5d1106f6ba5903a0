import type { EvalContext } from './attributes.ts'
import type { Weighted } from './bucketing.ts'
import { compileRule } from './compile-rule.ts'
import type { ExperienceStatus, PersonalizationConfig } from './config-schema.ts'
import type { Predicate } from './operators.ts'
import { compileTemplate, type CompiledTemplate } from './template.ts'
import { compilePagePattern } from './url-pattern.ts'

/** An experience ready to evaluate: every rule, pattern and template is a closure. */
export interface CompiledExperience {
  id: string
  priority: number
  holdout: number
  /** Every slot any variation fills; the experience claims them all, control included. */
  slots: string[]
  goals: string[]
  /** Indexes into `CompiledConfig.segments`; empty means everyone. */
  segmentIndexes: number[]
  onPage: (page: EvalContext['page']) => boolean
  /** As configured: `weight` is the configured one (the report's expected split). */
  variations: (Weighted & {
    paused: boolean
    content: [slot: string, template: CompiledTemplate][]
  })[]
  /** What new visitors are split among: a paused variation weighs 0. */
  bucketWeights: Weighted[]
  status: ExperienceStatus
  /** A concluded experience's winner: a variation id or `control`. */
  winner: string | undefined
  /** When it was concluded (ms); its report counts nothing after it. */
  concludedAt: number | undefined
}

/** A config compiled once per load; requests only read it. */
export interface CompiledConfig {
  segments: { id: string; test: Predicate }[]
  /** Highest priority first; equal priorities keep file order. */
  experiences: CompiledExperience[]
  experiencesById: Map<string, CompiledExperience>
  /** Goal (track event name) -> the running experiences that count it. */
  goals: Map<string, string[]>
  /**
   * Every goal named by an experience that is not a draft: a track event named here is a
   * conversion in `visitor.conversions`, whether or not an experience counts it now.
   */
  goalNames: Set<string>
  attributionWindowMs: number
}

/** Compiles a validated config. */
export function compileConfig(config: PersonalizationConfig): CompiledConfig {
  const segments = config.segments.map((segment) => ({
    id: segment.id,
    test: compileRule(segment.rule),
  }))
  const segmentIndex = new Map(segments.map((segment, index) => [segment.id, index]))
  const experiences = config.experiences
    .map((experience, order) => ({ experience, order }))
    .sort((a, b) => b.experience.priority - a.experience.priority || a.order - b.order)
    .map(({ experience }): CompiledExperience => {
      const patterns = experience.pages.map(compilePagePattern)
      const variations = experience.variations.map((variation) => ({
        id: variation.id,
        weight: variation.weight,
        paused: variation.paused,
        content: Object.entries(variation.content).map(
          ([slot, source]): [string, CompiledTemplate] => [slot, compileTemplate(source)],
        ),
      }))
      return {
        id: experience.id,
        priority: experience.priority,
        holdout: experience.holdout,
        slots: [
          ...new Set(variations.flatMap((variation) => variation.content.map(([slot]) => slot))),
        ],
        goals: experience.goals,
        segmentIndexes: experience.segments.map((id) => segmentIndex.get(id) ?? -1),
        onPage:
          patterns.length === 0 ? () => true : (page) => patterns.some((pattern) => pattern(page)),
        variations,
        bucketWeights: variations.map((variation) => ({
          id: variation.id,
          weight: variation.paused ? 0 : variation.weight,
        })),
        status: experience.status,
        winner: experience.winner,
        concludedAt:
          experience.concludedAt === undefined ? undefined : Date.parse(experience.concludedAt),
      }
    })
  const goals = new Map<string, string[]>()
  const goalNames = new Set<string>()
  for (const experience of experiences) {
    if (experience.status === 'draft') continue
    for (const goal of experience.goals) goalNames.add(goal)
    if (experience.status !== 'running') continue
    for (const goal of experience.goals)
      goals.set(goal, [...(goals.get(goal) ?? []), experience.id])
  }
  return {
    segments,
    experiences,
    experiencesById: new Map(experiences.map((experience) => [experience.id, experience])),
    goals,
    goalNames,
    attributionWindowMs: config.attributionWindowDays * 86_400_000,
  }
}

/**
 * Whether a profile's impression of `variation` counts conversions now: its experience runs
 * and the variation is not paused (a paused variation's visitors see the control's content).
 */
export function countsConversions(experience: CompiledExperience, variation: string): boolean {
  if (experience.status !== 'running') return false
  return experience.variations.find((candidate) => candidate.id === variation)?.paused !== true
}
