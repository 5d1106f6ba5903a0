/**
 * Config documents for authoring tests, as the console's editor sends them (defaults left out):
 * one segment and one experience whose headline is `headline`, with two variations.
 */
export function headlineConfig(
  headline: string,
  experience: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    segments: [
      {
        id: 'everyone',
        description: 'Every visitor',
        rule: { attribute: 'visitor.pageViews', operator: 'gte', value: 0 },
      },
    ],
    experiences: [
      {
        id: 'hero',
        segments: ['everyone'],
        goals: ['Signed Up'],
        variations: [
          { id: 'headline', content: { 'hero-title': headline } },
          { id: 'other', weight: 0, content: { 'hero-title': `${headline} (other)` } },
        ],
        ...experience,
      },
    ],
  }
}

/** The same config with one experience's field broken: the loader refuses it at that path. */
export function brokenConfig(): Record<string, unknown> {
  return headlineConfig('Broken', { holdout: 'half' })
}
