import { describe, expect, it } from 'vitest'
import { newProfile, type VisitorStats } from '../../server/src/profile/profile.ts'
import {
  mergeVisitorStats,
  recordVisit,
  sessionIdleMs,
  visitedPathsLimit,
} from '../../server/src/profile/visitor-stats.ts'

const start = Date.parse('2026-05-01T09:00:00Z')
const minute = 60_000
const fresh = (at = start): VisitorStats => newProfile('p', null, at).visitor

describe('recordVisit', () => {
  it('opens a session with the first page view', () => {
    const stats = recordVisit(fresh(), { type: 'page', at: start, path: '/' })
    expect(stats.sessions).toBe(1)
    expect(stats.pageViews).toBe(1)
  })

  it('keeps the session while page views come within 30 minutes of the last activity', () => {
    let stats = recordVisit(fresh(), { type: 'page', at: start, path: '/' })
    stats = recordVisit(stats, { type: 'page', at: start + 29 * minute, path: '/a' })
    stats = recordVisit(stats, { type: 'page', at: start + 58 * minute, path: '/b' })
    expect(stats.sessions).toBe(1)
  })

  it('opens a new session after more than 30 minutes of quiet', () => {
    let stats = recordVisit(fresh(), { type: 'page', at: start, path: '/' })
    stats = recordVisit(stats, { type: 'page', at: start + sessionIdleMs + 1, path: '/' })
    expect(stats.sessions).toBe(2)
    expect(stats.lastSeenAt).toBe(start + sessionIdleMs + 1)
  })

  it('counts only page views as sessions; any event keeps the session alive', () => {
    let stats = recordVisit(fresh(), { type: 'page', at: start, path: '/' })
    stats = recordVisit(stats, { type: 'track', at: start + 25 * minute })
    stats = recordVisit(stats, { type: 'page', at: start + 50 * minute, path: '/' })
    expect(stats.sessions).toBe(1)
    expect(stats.events).toBe(1)
  })

  it('remembers visited paths, latest first, each once', () => {
    let stats = recordVisit(fresh(), { type: 'page', at: start, path: '/pricing' })
    stats = recordVisit(stats, { type: 'page', at: start + 1, path: '/blog' })
    stats = recordVisit(stats, { type: 'page', at: start + 2, path: '/pricing' })
    expect(stats.visitedPaths).toEqual([
      { path: '/pricing', at: start + 2 },
      { path: '/blog', at: start + 1 },
    ])
  })

  it('keeps at most the limit of paths, dropping the oldest', () => {
    let stats = fresh()
    for (let i = 0; i < visitedPathsLimit + 5; i += 1) {
      stats = recordVisit(stats, { type: 'page', at: start + i, path: `/p${i}` })
    }
    expect(stats.visitedPaths).toHaveLength(visitedPathsLimit)
    expect(stats.visitedPaths?.[0]?.path).toBe(`/p${visitedPathsLimit + 4}`)
    expect(stats.visitedPaths?.some((visited) => visited.path === '/p0')).toBe(false)
  })

  it('counts a conversion when the visit is a goal', () => {
    const stats = recordVisit(fresh(), { type: 'track', at: start, conversion: true })
    expect(stats.conversions).toBe(1)
    expect(recordVisit(stats, { type: 'track', at: start }).conversions).toBe(1)
  })

  it('reads profiles stored before sessions existed as zero sessions', () => {
    const old: VisitorStats = { firstSeenAt: start, lastSeenAt: start, pageViews: 4, events: 0 }
    const stats = recordVisit(old, { type: 'page', at: start + 2 * sessionIdleMs, path: '/' })
    expect(stats.sessions).toBe(1)
  })
})

describe('mergeVisitorStats', () => {
  const laptop = [
    { type: 'page' as const, at: start, path: '/pricing' },
    { type: 'page' as const, at: start + 2 * sessionIdleMs, path: '/docs' },
    { type: 'track' as const, at: start + 2 * sessionIdleMs + 1, conversion: true },
  ].reduce(recordVisit, fresh(start))
  const phone = [
    {
      type: 'page' as const,
      at: start - 5 * minute,
      path: '/',
      touch: { referrer: 'https://news.example' },
    },
    { type: 'page' as const, at: start + 10 * minute, path: '/pricing' },
  ].reduce(recordVisit, fresh(start - 5 * minute))

  it('adds counters up and keeps the earliest first seen and latest last seen', () => {
    const merged = mergeVisitorStats(laptop, phone)
    expect(merged).toMatchObject({
      pageViews: 4,
      events: 1,
      sessions: 3,
      conversions: 1,
      firstSeenAt: start - 5 * minute,
      lastSeenAt: start + 2 * sessionIdleMs + 1,
    })
  })

  it('keeps the first touch of the earliest visit', () => {
    expect(mergeVisitorStats(laptop, phone).firstTouch).toEqual({
      at: start - 5 * minute,
      referrer: 'https://news.example',
    })
  })

  it('unites visited paths with the latest visit of each', () => {
    expect(mergeVisitorStats(laptop, phone).visitedPaths).toEqual([
      { path: '/docs', at: start + 2 * sessionIdleMs },
      { path: '/pricing', at: start + 10 * minute },
      { path: '/', at: start - 5 * minute },
    ])
  })

  it('gives the same result whichever side comes first', () => {
    expect(mergeVisitorStats(laptop, phone)).toEqual(mergeVisitorStats(phone, laptop))
  })
})

describe('inferred facts on the visitor stats', () => {
  const uk = { at: start, country: 'GB', asn: 20712, org: 'Andrews & Arnold Ltd' }
  const ie = { at: start + minute, country: 'IE' }

  it('keeps the latest enriched call whole, never mixing two calls’ facts', () => {
    let stats = recordVisit(fresh(), { type: 'page', at: start, path: '/', inferred: uk })
    stats = recordVisit(stats, { type: 'track', at: start + minute, inferred: ie })
    expect(stats.inferred).toEqual(ie)
    // A call without enrichment (consent refused, or off) leaves what was derived before.
    stats = recordVisit(stats, { type: 'page', at: start + 2 * minute, path: '/' })
    expect(stats.inferred).toEqual(ie)
  })

  it('keeps the later of two devices’ facts when their profiles merge', () => {
    const laptop = recordVisit(fresh(), { type: 'page', at: start, path: '/', inferred: uk })
    const phone = recordVisit(fresh(), { type: 'page', at: start, path: '/', inferred: ie })
    expect(mergeVisitorStats(laptop, phone).inferred).toEqual(ie)
    expect(mergeVisitorStats(phone, laptop).inferred).toEqual(ie)
    expect(mergeVisitorStats(laptop, fresh()).inferred).toEqual(uk)
  })
})
