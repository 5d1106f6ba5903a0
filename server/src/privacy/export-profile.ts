import { readProfileView, type ProfileView } from '../profile/profile-view.ts'
import type { StoredEvent } from '../profile/profile.ts'
import type { StoreReader } from '../store/store.ts'

/** Everything the container holds on one person (right of access), as the export returns it. */
export interface ProfileExport {
  exportedAt: string
  /** Traits, devices, company account and merge log. */
  profile: ProfileView
  /** Every page view and track event recorded on the profile, oldest first. */
  events: (Omit<StoredEvent, 'at' | 'receivedAt'> & { at: string; receivedAt: string })[]
}

/** Reads the export of one profile, or `undefined` when it is unknown. */
export async function exportProfile(
  reader: StoreReader,
  profileId: string,
  now: number,
): Promise<ProfileExport | undefined> {
  const profile = await readProfileView(reader, profileId)
  if (profile === undefined) return undefined
  const events = await reader.events(profileId, Number.MAX_SAFE_INTEGER)
  return {
    exportedAt: new Date(now).toISOString(),
    profile,
    events: events.map((event) => ({
      ...event,
      at: new Date(event.at).toISOString(),
      receivedAt: new Date(event.receivedAt).toISOString(),
    })),
  }
}
