import type { FirstTouch, InferredFacts, VisitedPath, VisitorStats } from './profile.ts'

/** A page view after this much quiet starts a new session (the usual 30 minutes). */
export const sessionIdleMs = 30 * 60 * 1000

/** How many distinct paths a profile remembers, most recent first. */
export const visitedPathsLimit = 50

/** What one event adds to the visitor's counters. */
export interface Visit {
  type: 'identify' | 'group' | 'track' | 'page' | 'alias'
  at: number
  touch?: Omit<FirstTouch, 'at'>
  /** The page path of a page view, remembered in `visitedPaths`. */
  path?: string
  /** True for a track event named as a goal in the personalisation config. */
  conversion?: boolean
  /** What enrichment derived from the call's address, when it was enriched. */
  inferred?: InferredFacts
}

/**
 * Counts an event: page views, events and conversions add one, first and last seen widen, a page
 * view after `sessionIdleMs` of quiet (or the first one) opens a session and its path is
 * remembered.
 */
export function recordVisit(stats: VisitorStats, visit: Visit): VisitorStats {
  const isPage = visit.type === 'page'
  const next: VisitorStats = {
    ...stats,
    firstSeenAt: Math.min(stats.firstSeenAt, visit.at),
    lastSeenAt: Math.max(stats.lastSeenAt, visit.at),
    pageViews: stats.pageViews + (isPage ? 1 : 0),
    events: stats.events + (visit.type === 'track' ? 1 : 0),
  }
  if (isPage) {
    const opensSession = stats.pageViews === 0 || visit.at - stats.lastSeenAt > sessionIdleMs
    next.sessions = (stats.sessions ?? 0) + (opensSession ? 1 : 0)
    if (visit.path !== undefined) {
      next.visitedPaths = mergePaths(stats.visitedPaths, [{ path: visit.path, at: visit.at }])
    }
  }
  if (visit.conversion === true) next.conversions = (stats.conversions ?? 0) + 1
  const touch = isPage && visit.touch ? { at: visit.at, ...visit.touch } : undefined
  const firstTouch = earlierTouch(stats.firstTouch, touch)
  if (firstTouch !== undefined) next.firstTouch = firstTouch
  const inferred = laterInferred(stats.inferred, visit.inferred)
  if (inferred !== undefined) next.inferred = inferred
  return next
}

/**
 * Two visitors' stats as one: first-touch facts keep the earliest, counters add up, visited paths
 * are the union (latest visit per path, most recent first, bounded).
 */
export function mergeVisitorStats(a: VisitorStats, b: VisitorStats): VisitorStats {
  const merged: VisitorStats = {
    firstSeenAt: Math.min(a.firstSeenAt, b.firstSeenAt),
    lastSeenAt: Math.max(a.lastSeenAt, b.lastSeenAt),
    pageViews: a.pageViews + b.pageViews,
    events: a.events + b.events,
  }
  const sessions = (a.sessions ?? 0) + (b.sessions ?? 0)
  if (sessions > 0) merged.sessions = sessions
  const conversions = (a.conversions ?? 0) + (b.conversions ?? 0)
  if (conversions > 0) merged.conversions = conversions
  if (a.visitedPaths !== undefined || b.visitedPaths !== undefined) {
    merged.visitedPaths = mergePaths(a.visitedPaths, b.visitedPaths ?? [])
  }
  const firstTouch = earlierTouch(a.firstTouch, b.firstTouch)
  if (firstTouch !== undefined) merged.firstTouch = firstTouch
  const inferred = laterInferred(a.inferred, b.inferred)
  if (inferred !== undefined) merged.inferred = inferred
  return merged
}

/** Inferred facts describe where the visitor is now: the latest wins, whole. */
function laterInferred(
  a: InferredFacts | undefined,
  b: InferredFacts | undefined,
): InferredFacts | undefined {
  if (a === undefined) return b
  if (b === undefined) return a
  return b.at >= a.at ? b : a
}

function mergePaths(a: VisitedPath[] | undefined, b: VisitedPath[]): VisitedPath[] {
  const latest = new Map<string, number>()
  for (const { path, at } of [...(a ?? []), ...b]) {
    latest.set(path, Math.max(latest.get(path) ?? -Infinity, at))
  }
  return [...latest.entries()]
    .map(([path, at]) => ({ path, at }))
    .sort((x, y) => y.at - x.at || (x.path < y.path ? -1 : 1))
    .slice(0, visitedPathsLimit)
}

function earlierTouch(
  a: FirstTouch | undefined,
  b: FirstTouch | undefined,
): FirstTouch | undefined {
  if (a === undefined) return b
  if (b === undefined) return a
  return b.at < a.at ? b : a
}
