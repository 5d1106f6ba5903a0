const hostname = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/

/**
 * A company domain in the one form accounts are keyed by: lower case, no scheme, no `www.`, no
 * port, path or trailing dot. `undefined` when what remains is not a hostname.
 */
export function normalizeDomain(input: string): string | undefined {
  let value = input.trim().toLowerCase()
  value = value.replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
  value = value.replace(/^[^@/]*@/, '') // user info, or a whole email address
  value = value.split(/[/?#]/, 1)[0] ?? ''
  value = value.replace(/:\d+$/, '').replace(/\.$/, '')
  value = value.replace(/^www\./, '')
  return hostname.test(value) ? value : undefined
}
