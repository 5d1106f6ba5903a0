import type { EvalContext } from '../../server/src/personalization/attributes.ts'

/** A request context for rule and template tests: an empty visitor, with `parts` laid over it. */
export function evalContext(parts: Partial<EvalContext> = {}): EvalContext {
  return {
    user: {},
    company: {},
    visitor: {
      known: false,
      pageViews: 0,
      sessions: 0,
      events: 0,
      conversions: 0,
      firstSeen: '2026-01-01T00:00:00.000Z',
      lastSeen: '2026-01-01T00:00:00.000Z',
      daysSinceFirstSeen: 0,
      daysSinceLastSeen: 0,
      visitedPaths: [],
    },
    page: { query: {}, utm: {} },
    device: { type: 'desktop' },
    ...parts,
  }
}
