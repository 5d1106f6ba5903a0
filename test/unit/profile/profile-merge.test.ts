import { describe, expect, it } from 'vitest'
import { deriveNames } from '../../../server/src/profile/derive-names.ts'
import { mergeProfiles, strongerLink } from '../../../server/src/profile/merge-profiles.ts'
import { newProfile } from '../../../server/src/profile/profile.ts'
import { mergeVisitorStats, recordVisit } from '../../../server/src/profile/visitor-stats.ts'
import { materializeTraits, traitsToTree } from '../../../server/src/traits/trait-tree.ts'

describe('recordVisit', () => {
  it('counts page views and events and widens first and last seen', () => {
    let stats = newProfile('p', null, 100).visitor
    stats = recordVisit(stats, {
      type: 'page',
      at: 50,
      touch: { url: 'https://a.co/?utm_source=x', utm: { source: 'x' } },
    })
    stats = recordVisit(stats, { type: 'track', at: 200 })
    expect(stats).toEqual({
      firstSeenAt: 50,
      lastSeenAt: 200,
      pageViews: 1,
      events: 1,
      sessions: 1,
      firstTouch: { at: 50, url: 'https://a.co/?utm_source=x', utm: { source: 'x' } },
    })
  })
})

describe('mergeVisitorStats', () => {
  it('adds counters and keeps the earliest first touch', () => {
    const a = {
      firstSeenAt: 10,
      lastSeenAt: 20,
      pageViews: 2,
      events: 1,
      firstTouch: { at: 10, referrer: 'google' },
    }
    const b = {
      firstSeenAt: 5,
      lastSeenAt: 30,
      pageViews: 3,
      events: 0,
      firstTouch: { at: 5, referrer: 'linkedin' },
    }
    expect(mergeVisitorStats(a, b)).toEqual({
      firstSeenAt: 5,
      lastSeenAt: 30,
      pageViews: 5,
      events: 1,
      firstTouch: { at: 5, referrer: 'linkedin' },
    })
  })
})

describe('mergeProfiles', () => {
  it('keeps the known profile id and user id and lets per-trait times decide', () => {
    const known = {
      ...newProfile('known', 'U', 100),
      traits: traitsToTree({ title: 'CEO', plan: 'old' }, 100),
    }
    const device = {
      ...newProfile('device', null, 50),
      traits: traitsToTree({ plan: 'new', viewedPricing: true }, 150),
    }
    const merged = mergeProfiles(known, device, 200)
    expect(merged.id).toBe('known')
    expect(merged.userId).toBe('U')
    expect(merged.createdAt).toBe(50)
    expect(materializeTraits(merged.traits)).toEqual({
      title: 'CEO',
      plan: 'new',
      viewedPricing: true,
    })
  })
})

describe('strongerLink', () => {
  it('prefers a company link over an email guess, then the later one', () => {
    const company = { id: 'a', source: 'company' as const, at: 1 }
    const email = { id: 'b', source: 'email' as const, at: 9 }
    expect(strongerLink(company, email)).toBe(company)
    expect(strongerLink(email, company)).toBe(company)
    expect(strongerLink(company, { ...company, id: 'c', at: 2 })?.id).toBe('c')
    expect(strongerLink(null, email)).toBe(email)
  })
})

describe('deriveNames', () => {
  it('fills name from first and last name, and those from name', () => {
    expect(deriveNames({ firstName: 'Marc', lastName: 'Benioff' }).name).toBe('Marc Benioff')
    expect(deriveNames({ name: 'Brian Chesky' })).toMatchObject({
      firstName: 'Brian',
      lastName: 'Chesky',
    })
    expect(deriveNames({ name: 'Cher' })).toEqual({ name: 'Cher', firstName: 'Cher' })
  })

  it('leaves both sides alone when both are given', () => {
    expect(deriveNames({ name: 'M. Benioff', firstName: 'Marc' })).toEqual({
      name: 'M. Benioff',
      firstName: 'Marc',
    })
  })
})
