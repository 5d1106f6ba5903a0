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
 * a weight change, or when a device's exposure came with it into a known user's profile).
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
  for (const experience of config.experiences) {
    if (
      experience.segmentIndexes.length > 0 &&
      !experience.segmentIndexes.some((i) => matched[i])
    ) {
      continue
    }
    if (!experience.onPage(ctx.page)) continue
    if (experience.slots.some((slot) => taken.has(slot))) continue
    for (const slot of experience.slots) taken.add(slot)
    const bucket =
      stickyBucket(assigned.get(experience.id), experience) ??
      pickBucket(bucketPoint(profileId, experience.id), experience.holdout, experience.variations)
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
  return { segments, experiences }
}

function stickyBucket(
  variation: string | undefined,
  experience: CompiledConfig['experiences'][number],
): Bucket | undefined {
  if (variation === undefined) return undefined
  if (variation === 'control') return { control: true }
  return experience.variations.some((candidate) => candidate.id === variation)
    ? { control: false, variation }
    : undefined
}
