/** Name of the script-written cookie and localStorage key holding the anonymous id. */
export const storageKey = 'parley_anon'

/** 400 days, the longest cookie lifetime browsers honour (Safari caps script cookies at 7). */
const maxAgeSeconds = 400 * 24 * 3600

/**
 * The stored anonymous id: the cookie first, else localStorage. Either can be missing or throw
 * (private modes, sandboxed frames); the container's own cookie is the last resort.
 */
export function readAnonymousId(): string | undefined {
  const fromCookie = new RegExp(`(?:^|; )${storageKey}=([^;]+)`).exec(document.cookie)?.[1]
  if (fromCookie !== undefined) return decodeURIComponent(fromCookie)
  try {
    return localStorage.getItem(storageKey) ?? undefined
  } catch {
    return undefined
  }
}

/** Writes the id to both places; only ever called with consent. */
export function writeAnonymousId(id: string): void {
  const secure = location.protocol === 'https:' ? '; Secure' : ''
  document.cookie = `${storageKey}=${encodeURIComponent(id)}; Path=/; Max-Age=${maxAgeSeconds}; SameSite=Lax${secure}`
  try {
    localStorage.setItem(storageKey, id)
  } catch {
    // Storage is optional: the cookie (or the container's cookie) still carries the id.
  }
}
