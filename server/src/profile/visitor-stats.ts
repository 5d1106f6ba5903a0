import type { FirstTouch, VisitorStats } from './profile.ts'

/** What one event adds to the visitor's counters. */
export interface Visit {
  type: 'identify' | 'group' | 'track' | 'page' | 'alias'
  at: number
  touch?: Omit<FirstTouch, 'at'>
}

/** Counts an event: page views and events add one, first and last seen widen. */
export function recordVisit(stats: VisitorStats, visit: Visit): VisitorStats {
  const next: VisitorStats = {
    ...stats,
    firstSeenAt: Math.min(stats.firstSeenAt, visit.at),
    lastSeenAt: Math.max(stats.lastSeenAt, visit.at),
    pageViews: stats.pageViews + (visit.type === 'page' ? 1 : 0),
    events: stats.events + (visit.type === 'track' ? 1 : 0),
  }
  const touch = visit.type === 'page' && visit.touch ? { at: visit.at, ...visit.touch } : undefined
  const firstTouch = earlierTouch(stats.firstTouch, touch)
  if (firstTouch !== undefined) next.firstTouch = firstTouch
  return next
}

/** Two visitors' stats as one: first-touch facts keep the earliest, counters add up. */
export function mergeVisitorStats(a: VisitorStats, b: VisitorStats): VisitorStats {
  const merged: VisitorStats = {
    firstSeenAt: Math.min(a.firstSeenAt, b.firstSeenAt),
    lastSeenAt: Math.max(a.lastSeenAt, b.lastSeenAt),
    pageViews: a.pageViews + b.pageViews,
    events: a.events + b.events,
  }
  const firstTouch = earlierTouch(a.firstTouch, b.firstTouch)
  if (firstTouch !== undefined) merged.firstTouch = firstTouch
  return merged
}

function earlierTouch(
  a: FirstTouch | undefined,
  b: FirstTouch | undefined,
): FirstTouch | undefined {
  if (a === undefined) return b
  if (b === undefined) return a
  return b.at < a.at ? b : a
}
