import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'

/**
 * Providers our earlier hand-kept list had that `free-email-domains` lacks. Add one here in a
 * pull request when a provider's users land in a company account.
 */
const additions = [
  'passport.com',
  'tutanota.com',
  'tutamail.com',
  'hey.com',
  'disroot.org',
  'riseup.net',
  'talktalk.net',
  'prodigy.net.mx',
]

/** Parses the vendored list: one domain a line, `#` lines are its header and licence. */
export function parseDomainList(text: string): string[] {
  return text.split('\n').filter((line) => line !== '' && !line.startsWith('#'))
}

/**
 * Mail providers anyone can sign up with (and disposable-mail domains): an address there says
 * nothing about an employer, so it never links a user to a company account. The maintained
 * `free-email-domains` list (about 14,000 domains, vendored in `free-mail-domains.txt`,
 * refreshed with `npm run free-mail:update`) plus `additions`. Read once at start (a few ms);
 * a lookup is one `Set.has`.
 */
export const freeMailDomains: ReadonlySet<string> = new Set([
  ...parseDomainList(readFileSync(resolve(import.meta.dirname, 'free-mail-domains.txt'), 'utf8')),
  ...additions,
])
