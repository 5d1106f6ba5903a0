/** Longest id accepted, in characters (PostHog uses the same bound). */
export const maxIdLength = 400

const junkAnyCase = new Set([
  'null',
  'undefined',
  'nan',
  'none',
  'anonymous',
  'guest',
  'true',
  'false',
  'id',
  'email',
  'not_authenticated',
  'distinct_id',
  'distinctid',
  'user_id',
  'userid',
  'anonymous_id',
  'anonymousid',
  '[object object]',
  '0',
  '-1',
])

/** The longest placeholder above. */
const longestJunk = Math.max(...[...junkAnyCase].map((junk) => junk.length))

/**
 * Why an id cannot identify anyone, or `undefined` when it can. Values that buggy integrations
 * send for "no user" would otherwise merge every such visitor into one profile.
 */
export function junkIdReason(id: string): string | undefined {
  if (id.includes('\u0000')) return 'contains a NUL character'
  // Characters, not UTF-16 units; counted only when the units could be too many (this runs for
  // every id of every call).
  if (id.length > maxIdLength && [...id].length > maxIdLength)
    return `is longer than ${maxIdLength} characters`
  const trimmed = id.trim()
  if (trimmed === '') return 'is blank'
  const unquoted = stripQuotes(trimmed)
  if (unquoted.trim() === '') return 'is blank inside quotes'
  if (unquoted.length <= longestJunk && junkAnyCase.has(unquoted.toLowerCase()))
    return `"${unquoted}" is a placeholder, not an id`
  if (/^[0-]+$/.test(unquoted)) return `"${unquoted}" is a placeholder, not an id`
  return undefined
}

function stripQuotes(value: string): string {
  const first = value[0]
  if (value.length >= 2 && (first === '"' || first === "'") && value.at(-1) === first) {
    return value.slice(1, -1)
  }
  return value
}
