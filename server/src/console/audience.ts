import { wilsonInterval } from '../measurement/stats/intervals.ts'
import type { CompiledConfig } from '../personalization/compile-config.ts'
import { buildContext } from '../personalization/build-context.ts'
import type { Account } from '../profile/profile.ts'
import type { StoreReader } from '../store/store.ts'

/** Profiles read to size audiences. Default: 2000 (±2.2 points at 95 % in the worst case). */
export const audienceSampleSize = 2000

/** A count: exact, or an estimate with its 95 % interval. */
export interface AudienceCount {
  estimate: number
  exact: boolean
  low: number
  high: number
}

/** Audience size per segment and pairwise overlaps, from one sample of profiles. */
export interface Audiences {
  total: number
  sampled: number
  sizes: Map<string, AudienceCount>
  /** `a|b` -> profiles in both segments. */
  overlaps: Map<string, AudienceCount>
}

/**
 * Sizes every segment's audience now. Reads the profile count and at most `sampleSize` profiles
 * (a uniform sample: profile ids are random), so the cost stays flat with a million profiles;
 * exact when the sample is every profile, else an estimate with a Wilson 95 % interval scaled to
 * the total. Page and device conditions are evaluated as on a bare page from a desktop.
 */
export async function measureAudiences(
  reader: StoreReader,
  config: CompiledConfig,
  now: number,
  sampleSize = audienceSampleSize,
): Promise<Audiences> {
  const { total, profiles } = await reader.profileSample(sampleSize)
  const accounts = new Map<string, Account | undefined>()
  const members: Set<string>[] = []
  for (const profile of profiles) {
    const accountId = profile.account?.id ?? null
    if (accountId !== null && !accounts.has(accountId)) {
      accounts.set(accountId, await reader.account(accountId))
    }
    const ctx = buildContext({
      profile,
      account: accountId === null ? undefined : accounts.get(accountId),
      page: {},
      userAgent: undefined,
      now,
    })
    members.push(new Set(config.segments.filter((s) => s.test(ctx)).map((s) => s.id)))
  }
  const exact = profiles.length >= total
  const scale = (hits: number): AudienceCount => {
    if (exact) return { estimate: hits, exact, low: hits, high: hits }
    const interval = wilsonInterval(hits, profiles.length) ?? { low: 0, high: 0 }
    return {
      estimate: Math.round((hits / profiles.length) * total),
      exact,
      low: Math.floor(interval.low * total),
      high: Math.ceil(interval.high * total),
    }
  }
  const sizes = new Map<string, AudienceCount>()
  const overlaps = new Map<string, AudienceCount>()
  const ids = config.segments.map((s) => s.id)
  for (const a of ids) {
    sizes.set(a, scale(members.filter((m) => m.has(a)).length))
    for (const b of ids) {
      if (a < b)
        overlaps.set(`${a}|${b}`, scale(members.filter((m) => m.has(a) && m.has(b)).length))
    }
  }
  return { total, sampled: profiles.length, sizes, overlaps }
}
