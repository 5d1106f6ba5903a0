/** A compiled page pattern. */
export type PagePattern = (page: { path?: string; url?: string }) => boolean

/**
 * Compiles a page pattern where `*` stands for any run of characters. A pattern starting with `/`
 * matches the page path (`/pricing*` matches `/pricing` and `/pricing/enterprise`); any other
 * matches the full URL without its query (`https://*.example.com/blog/*`). Case-insensitive.
 */
export function compilePagePattern(pattern: string): PagePattern {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*')
  const regex = new RegExp(`^${body}$`, 'i')
  if (pattern.startsWith('/')) return (page) => page.path !== undefined && regex.test(page.path)
  return (page) => page.url !== undefined && regex.test(withoutQuery(page.url))
}

function withoutQuery(url: string): string {
  const cut = url.search(/[?#]/)
  return cut < 0 ? url : url.slice(0, cut)
}
