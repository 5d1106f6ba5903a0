/** Checks of what a page passes to the client's methods. */

type Json = Record<string, unknown>

/** A user, company or group id: a string, or a number some sites use. */
export const isId = (value: unknown): value is string | number =>
  typeof value === 'string' || typeof value === 'number'

/** Traits and properties: a plain object, or nothing. */
export const isObject = (value: unknown): boolean =>
  value === undefined || (typeof value === 'object' && value !== null && !Array.isArray(value))

/** A snapshot: the page may change its object after the call, and functions are not data. */
export const copy = (value: unknown): Json => JSON.parse(JSON.stringify(value ?? {})) as Json

/** Reports a wrong call in the console (always, not only in debug mode) as a rejected Promise. */
export function misuse(text: string): Promise<never> {
  console.error(`parley: ${text}`)
  return Promise.reject(new TypeError(`parley: ${text}`))
}
