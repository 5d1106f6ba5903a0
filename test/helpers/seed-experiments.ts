import { newProfile, type Account } from '../../server/src/profile/profile.ts'
import type { Store } from '../../server/src/store/store.ts'
import { traitsToTree } from '../../server/src/traits/trait-tree.ts'

const day = 86_400_000

/** A small deterministic generator (mulberry32), so seeded data is the same on every run. */
function random(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** One experience's seeded traffic: arms with shares and true conversion rates. */
export interface SeededExperience {
  id: string
  goal: string
  arms: { variation: string; share: number; rate: number }[]
}

/**
 * Two weeks of traffic for the demo config's experiences, written straight into a store: profiles
 * (some in enterprise accounts), their impressions spread over `days` days before `now`, and
 * conversions at each arm's rate within the attribution window.
 */
export async function seedExperiments(
  store: Store,
  options: { now: number; days: number; perDay: number; experiences: SeededExperience[] },
): Promise<void> {
  const next = random(12)
  const accounts: Account[] = [
    {
      id: 'acc-acme',
      traits: traitsToTree(
        { name: 'Acme', employeeCount: 5000, industry: 'Software' },
        options.now,
      ),
      createdAt: options.now,
      updatedAt: options.now,
    },
    {
      id: 'acc-tiny',
      traits: traitsToTree(
        { name: 'Tiny Shop', employeeCount: 8, industry: 'Retail' },
        options.now,
      ),
      createdAt: options.now,
      updatedAt: options.now,
    },
  ]
  await store.transaction(async (tx) => {
    for (const account of accounts) await tx.putAccount(account)
    let n = 0
    for (let d = options.days; d >= 1; d--) {
      for (let i = 0; i < options.perDay; i++) {
        n += 1
        const id = `seed-${String(n).padStart(6, '0')}`
        const at = options.now - d * day + Math.floor(next() * day * 0.9)
        const account = next() < 0.6 ? accounts[0] : accounts[1]
        await tx.putProfile({
          ...newProfile(id, null, at),
          account: account === undefined ? null : { id: account.id, source: 'company', at },
          traits: traitsToTree({ plan: next() < 0.3 ? 'pro' : 'free' }, at),
          visitor: {
            firstSeenAt: at,
            lastSeenAt: at,
            pageViews: 1 + Math.floor(next() * 5),
            events: 0,
            sessions: 1 + Math.floor(next() * 3),
          },
        })
        for (const experience of options.experiences) {
          let pick = next()
          const arm =
            experience.arms.find((candidate) => (pick -= candidate.share) < 0) ?? experience.arms[0]
          if (arm === undefined) continue
          await tx.recordImpression({
            profileId: id,
            experienceId: experience.id,
            variation: arm.variation,
            control: arm.variation === 'control',
            at,
          })
          if (next() < arm.rate) {
            await tx.recordConversion({
              profileId: id,
              experienceId: experience.id,
              goal: experience.goal,
              at: at + Math.floor(next() * 3 * day),
            })
          }
        }
      }
    }
  })
}
