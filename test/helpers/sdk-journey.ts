import { expect } from 'vitest'
import type { RunningContainer } from './start-container.ts'
import { testCredentials } from './start-container.ts'

/**
 * The journey every SDK test plays: an anonymous page view and trait on a device, then identify
 * on that device, then a track and a group. Ids are per SDK so the tests share a container.
 */
export interface SdkJourney {
  userId: string
  email: string
  name: string
  groupId: string
  company: { name: string; industry: string }
  event: string
}

/** A journey whose ids and email domain carry `sdk`'s name. */
export function journeyFor(sdk: string): SdkJourney {
  return {
    userId: `user-${sdk}`,
    email: `ada@${sdk}.example`,
    name: 'Ada Lovelace',
    groupId: `company-${sdk}`,
    company: { name: `Company of ${sdk}`, industry: 'Software' },
    event: 'Demo Requested',
  }
}

type Properties = Record<string, string | number | boolean>

/** The calls of a server SDK the journey makes, as Segment's and RudderStack's both take them. */
export interface ServerSdk {
  page(message: { anonymousId: string; name: string; properties: Properties }): unknown
  identify(message: {
    anonymousId: string
    userId?: string
    traits: Properties
    context?: Record<string, string>
  }): unknown
  track(message: { userId: string; event: string; properties: Properties }): unknown
  group(message: { userId: string; groupId: string; traits: Properties }): unknown
}

/**
 * Plays the journey through a server SDK for the device `anonymousId`; the backend passes the
 * visitor's address on in `context.ip`. The caller flushes.
 */
export function sendServerJourney(sdk: ServerSdk, journey: SdkJourney, anonymousId: string): void {
  sdk.page({ anonymousId, name: 'Pricing', properties: { path: '/pricing' } })
  sdk.identify({ anonymousId, traits: { viewedPricing: true } })
  sdk.identify({
    anonymousId,
    userId: journey.userId,
    traits: { email: journey.email, name: journey.name },
    context: { ip: '203.0.113.7' },
  })
  sdk.track({ userId: journey.userId, event: journey.event, properties: { plan: 'pro' } })
  sdk.group({ userId: journey.userId, groupId: journey.groupId, traits: journey.company })
}

interface ProfileView {
  id: string
  userId: string | null
  anonymousIds: string[]
  traits: Record<string, unknown>
  account: { id: string; keys: string[]; traits: Record<string, unknown> } | null
  visitor: { pageViews: number; events: number }
}

async function lookup(container: RunningContainer, query: string): Promise<ProfileView> {
  const response = await fetch(`${container.url}/v1/admin/profiles/lookup?${query}`, {
    headers: { authorization: `Bearer ${testCredentials.adminToken}` },
  })
  expect(response.status, query).toBe(200)
  return ((await response.json()) as { profile: ProfileView }).profile
}

/** Whether the journey's last calls (track and group) show on the profile. */
function landed(profile: ProfileView, journey: SdkJourney): boolean {
  return (
    profile.visitor.events >= 1 && profile.account?.keys.includes(`id:${journey.groupId}`) === true
  )
}

/**
 * Checks through the admin lookup that the whole journey landed in one profile, reached by the
 * user id and by the device's anonymous id, with one company account.
 */
export async function expectJourneyLanded(
  container: RunningContainer,
  journey: SdkJourney,
  anonymousId: string,
): Promise<ProfileView> {
  // Browser SDKs deliver on their own schedule (a beacon's answer reaches no one): give the
  // last calls up to 5 s to land before judging. Seen under CI load with RudderStack's browser
  // SDK, whose group and track had been answered 200 before the lookup missed them.
  let profile = await lookup(container, `userId=${encodeURIComponent(journey.userId)}`)
  for (let i = 0; i < 50 && !landed(profile, journey); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    profile = await lookup(container, `userId=${encodeURIComponent(journey.userId)}`)
  }
  const byDevice = await lookup(container, `anonymousId=${encodeURIComponent(anonymousId)}`)
  expect(byDevice.id).toBe(profile.id)
  expect(profile.anonymousIds).toContain(anonymousId)
  expect(profile.traits).toMatchObject({
    viewedPricing: true,
    email: journey.email,
    name: journey.name,
    firstName: 'Ada',
  })
  expect(profile.visitor.pageViews).toBeGreaterThanOrEqual(1)
  expect(profile.visitor.events, JSON.stringify(profile)).toBe(1)
  expect(profile.account).toMatchObject({
    keys: [`id:${journey.groupId}`],
    traits: { id: journey.groupId, ...journey.company },
  })
  return profile
}
