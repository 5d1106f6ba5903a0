/**
 * Whether `url` matches a GTM URL match pattern, e.g. a wildcard host with a fixed path, or
 * `https://*.example.com/lib/` followed by a wildcard. Rules (the strict reading of GTM's permission docs):
 * - both must use `https://`;
 * - host `*` matches any host (with any port); `*.example.com` matches example.com and its
 *   subdomains; any other host must be equal (case-insensitive);
 * - in the path each `*` matches any run of characters; query and fragment of the URL are ignored.
 *
 * Self-contained on purpose (no imports, no outer variables): the end-to-end test sends its
 * source into the browser so the page enforces the same rule as the Node harness.
 */
export function matchesUrlPattern(pattern: string, url: string): boolean {
  const scheme = 'https://'
  if (pattern.slice(0, scheme.length) !== scheme || url.slice(0, scheme.length) !== scheme) {
    return false
  }
  const split = (rest: string): [string, string] => {
    const slash = rest.indexOf('/')
    return slash === -1 ? [rest, '/'] : [rest.slice(0, slash), rest.slice(slash)]
  }
  const [patternHost, patternPath] = split(pattern.slice(scheme.length))
  const [urlHostWithPort, urlPathWithQuery] = split(url.slice(scheme.length))
  const urlPath = urlPathWithQuery.split('#')[0]?.split('?')[0] ?? ''
  const wantHost = patternHost.toLowerCase()
  const host = urlHostWithPort.toLowerCase()

  let hostMatches: boolean
  if (wantHost === '*') hostMatches = host.length > 0
  else if (wantHost.slice(0, 2) === '*.') {
    const domain = wantHost.slice(2)
    const bare = host.split(':')[0] ?? ''
    hostMatches = bare === domain || bare.slice(-(domain.length + 1)) === '.' + domain
  } else hostMatches = host === wantHost

  const escaped = patternPath
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*')
  return hostMatches && new RegExp('^' + escaped + '$').test(urlPath)
}
