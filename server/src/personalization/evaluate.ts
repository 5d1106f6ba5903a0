import type { EvalContext } from './attributes.ts'
import { bucketPoint, pickBucket, type Bucket } from './bucketing.ts'
import type { CompiledConfig } from './compile-config.ts'

/** One experience as the page receives it. `content` maps slot -> plain text. */
export interface ExperienceDecision {
  id: string
  variation: string
  control: boolean
  content: Record<string, string>
}

/** What a visitor gets on a page: their segment ids and the experiences shown. */
export interface Decision {
  segments: string[]
  experiences: ExperienceDecision[]
  /**
   * The ids of the experiences shown that are measured (running): only their first showing is
   * recorded as an impression. Not part of the payload.
   */
  measured: string[]
}

/**
 * Evaluates a compiled config for one visitor on one page (pure). Every segment is tested once;
 * experiences are taken by priority, and one whose slots an earlier experience holds is skipped,
 * so each slot shows one experience. The control group holds its slots too (it sees the page's
 * default), so holdout visitors are a true baseline. A slot whose template lacks an attribute
 * and has no fallback is left out of `content`.
 *
 * `assigned` maps experience id -> the variation (or `control`) the profile was first shown: it
 * stands while that variation is still configured, so a visitor never flips between arms (after
 * a weight or holdout change, or when a device's exposure came with it into a known user's
 * profile). A paused variation's visitors see the control's content, and new visitors are split
 * among the variations that are not paused.
 *
 * Statuses: a `draft` or `paused` experience is skipped (its slots stay free for others); a
 * `concluded` one shows its winner to everyone in its audience, holdout included.
 */
export function evaluate(
  config: CompiledConfig,
  ctx: EvalContext,
  profileId: string,
  assigned: ReadonlyMap<string, string> = new Map(),
): Decision {
  const matched = config.segments.map((segment) => segment.test(ctx))
  const segments = config.segments.filter((_, index) => matched[index]).map((segment) => segment.id)
  const taken = new Set<string>()
  const experiences: ExperienceDecision[] = []
  const measured: string[] = []
  for (const experience of config.experiences) {
    if (experience.status === 'draft' || experience.status === 'paused') continue
    if (
      experience.segmentIndexes.length > 0 &&
      !experience.segmentIndexes.some((i) => matched[i])
    ) {
      continue
    }
    if (!experience.onPage(ctx.page)) continue
    if (experience.slots.some((slot) => taken.has(slot))) continue
    for (const slot of experience.slots) taken.add(slot)
    if (experience.status === 'running') measured.push(experience.id)
    const bucket =
      experience.status === 'concluded'
        ? winnerBucket(experience.winner)
        : (stickyBucket(assigned.get(experience.id), experience) ??
          pickBucket(
            bucketPoint(profileId, experience.id),
            experience.holdout,
            experience.bucketWeights,
          ))
    if (bucket.control) {
      experiences.push({ id: experience.id, variation: 'control', control: true, content: {} })
      continue
    }
    const variation = experience.variations.find((candidate) => candidate.id === bucket.variation)
    const content: Record<string, string> = {}
    for (const [slot, template] of variation?.content ?? []) {
      const text = template.render(ctx)
      if (text !== undefined) content[slot] = text
    }
    experiences.push({ id: experience.id, variation: bucket.variation, control: false, content })
  }
  return { segments, experiences, measured }
}

function winnerBucket(winner: string | undefined): Bucket {
  return winner === undefined || winner === 'control'
    ? { control: true }
    : { control: false, variation: winner }
}

function stickyBucket(
  variation: string | undefined,
  experience: CompiledConfig['experiences'][number],
): Bucket | undefined {
  if (variation === undefined) return undefined
  if (variation === 'control') return { control: true }
  const recorded = experience.variations.find((candidate) => candidate.id === variation)
  if (recorded === undefined) return undefined
  // A paused variation keeps its visitors (they return to it when it resumes) but shows them the
  // page's default, as the control does: moving them to another arm would mix two arms' data.
  return recorded.paused ? { control: true } : { control: false, variation }
}
