/**
 * One entry of `PARLEY_ALLOWED_ORIGINS`, normalised: `*` (any origin), an exact origin
 * (`https://www.example.com`, `http://localhost:3000`) or a subdomain pattern
 * (`https://*.example.com`, which matches subdomains at any depth but not the bare domain).
 * Returns `undefined` for anything else, so the config can name the bad entry.
 */
export function normalizeAllowedOrigin(entry: string): string | undefined {
  if (entry === '*') return entry
  const match = /^(https?):\/\/(\*\.)?([a-z0-9.-]+|\[[0-9a-f:.]+\])(:\d{1,5})?\/?$/i.exec(entry)
  if (match === null) return undefined
  const [, scheme = '', wildcard = '', host = '', port = ''] = match
  if (host.startsWith('.') || host.endsWith('.') || host.includes('..')) return undefined
  const defaultPort = scheme.toLowerCase() === 'https' ? ':443' : ':80'
  const keptPort = port === defaultPort ? '' : port
  return `${scheme.toLowerCase()}://${wildcard}${host.toLowerCase()}${keptPort}`
}
