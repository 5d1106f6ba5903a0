import { inspectJson } from '../contract/inspect-json.ts'
import { pageInfo } from '../contract/to-ingest-event.ts'
import { AppError } from '../errors/app-error.ts'
import { buildContext } from '../personalization/build-context.ts'
import type { PersonalizationEngine } from '../personalization/engine.ts'
import type { Decision } from '../personalization/evaluate.ts'
import { newProfile } from '../profile/profile.ts'
import type { Store, StoreReader } from '../store/store.ts'
import { isJsonObject, type JsonObject } from '../traits/json.ts'
import { traitsToTree } from '../traits/trait-tree.ts'

/** A user agent per device class, for the preview. */
const userAgents = {
  desktop: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36',
  mobile: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1',
  tablet: 'Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) Safari/604.1',
} as const

/** The device classes a preview can take. */
export const previewDevices = ['desktop', 'mobile', 'tablet'] as const

/** Who to preview, where: a stored profile, or typed traits (JSON text); a page URL; a device. */
export interface PreviewInput {
  /** A profile id, user id or anonymous id; empty to use the traits. */
  profile: string
  userTraits: string
  companyTraits: string
  url: string
  device: (typeof previewDevices)[number]
  now: number
}

/**
 * What a visitor would see with `engine`'s config (the one in force, or a draft's): a stored
 * profile with its account and sticky variations, or typed traits; evaluated only, nothing
 * written. A bad URL or traits answer `invalid_field`, an unknown profile `profile_not_found`.
 */
export async function previewVisitor(
  store: Store,
  engine: PersonalizationEngine,
  input: PreviewInput,
): Promise<{ decision: Decision; who: string }> {
  let url: URL
  try {
    url = new URL(input.url)
  } catch {
    throw new AppError(
      'invalid_field',
      'The page URL is not a full address such as https://www.example.com/pricing.',
      { path: 'url' },
    )
  }
  const page = pageInfo({ url: url.href, path: url.pathname }, {})
  const { now } = input
  const userAgent = userAgents[input.device]
  if (input.profile.trim() !== '') {
    const found = await store.read(async (reader) => {
      const id = await resolveProfile(reader, input.profile.trim())
      const profile = id === undefined ? undefined : await reader.profile(id)
      if (profile === undefined) return undefined
      const accountId = profile.account?.id ?? null
      return {
        profile,
        account: accountId === null ? undefined : await reader.account(accountId),
        impressions: await reader.impressions(profile.id),
      }
    })
    if (found === undefined) {
      throw new AppError(
        'profile_not_found',
        'No profile is known by that id, user id or anonymous id.',
        { path: 'profile' },
      )
    }
    const ctx = buildContext({
      profile: found.profile,
      account: found.account,
      page,
      userAgent,
      now,
    })
    const assigned = new Map(found.impressions.map((i) => [i.experienceId, i.variation]))
    return {
      decision: engine.decide(ctx, found.profile.id, assigned),
      who: `Profile ${found.profile.userId ?? found.profile.id}`,
    }
  }
  const user = parseTraits(input.userTraits, 'User traits', 'userTraits')
  const company = parseTraits(input.companyTraits, 'Company traits', 'companyTraits')
  const profile = { ...newProfile('preview', null, now), traits: traitsToTree(user, now) }
  const account = {
    id: 'preview',
    traits: traitsToTree(company, now),
    createdAt: now,
    updatedAt: now,
  }
  const ctx = buildContext({ profile, account, page, userAgent, now })
  return { decision: engine.decide(ctx, 'preview'), who: 'A visitor with these traits' }
}

async function resolveProfile(reader: StoreReader, id: string): Promise<string | undefined> {
  if ((await reader.profile(id)) !== undefined) return id
  return (await reader.profileIdByUserId(id)) ?? (await reader.profileIdByAnonymousId(id))
}

/** Typed traits: empty, or a JSON object within the API's limits; else `invalid_field`. */
function parseTraits(source: string, label: string, path: string): JsonObject {
  if (source.trim() === '') return {}
  const refuse = (message: string) => new AppError('invalid_field', message, { path })
  let value: unknown
  try {
    value = JSON.parse(source)
  } catch {
    throw refuse(`${label} are not JSON: write them like {"plan": "pro"}.`)
  }
  if (!isJsonObject(value)) throw refuse(`${label} must be a JSON object such as {"plan": "pro"}.`)
  try {
    const inspected = inspectJson(value, { path: 'traits' }).value
    return isJsonObject(inspected) ? inspected : {}
  } catch (error) {
    throw refuse(`${label}: ${(error as Error).message}.`)
  }
}
