import type { EvalContext } from './attributes.ts'
import type { Weighted } from './bucketing.ts'
import { compileRule } from './compile-rule.ts'
import type { PersonalizationConfig } from './config-schema.ts'
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
  variations: (Weighted & { content: [slot: string, template: CompiledTemplate][] })[]
}

/** A config compiled once per load; requests only read it. */
export interface CompiledConfig {
  segments: { id: string; test: Predicate }[]
  /** Highest priority first; equal priorities keep file order. */
  experiences: CompiledExperience[]
  experiencesById: Map<string, CompiledExperience>
  /** Goal (track event name) -> the experiences that count it. */
  goals: Map<string, string[]>
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
      }
    })
  const goals = new Map<string, string[]>()
  for (const experience of experiences) {
    for (const goal of experience.goals)
      goals.set(goal, [...(goals.get(goal) ?? []), experience.id])
  }
  return {
    segments,
    experiences,
    experiencesById: new Map(experiences.map((experience) => [experience.id, experience])),
    goals,
    attributionWindowMs: config.attributionWindowDays * 86_400_000,
  }
}
