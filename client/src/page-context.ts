/** Segment's `context.page` for the current location. `referrer` is the previous SPA URL if any. */
export function pageContext(referrer: string): Record<string, string> {
  return {
    url: location.href,
    path: location.pathname,
    search: location.search,
    title: document.title,
    referrer,
  }
}

/**
 * Calls `onChange` after `history.pushState` / `replaceState` / `popstate` when the URL really
 * changed (routers call replaceState for state-only updates too).
 */
export function watchNavigation(onChange: (previousUrl: string) => void): void {
  let current = location.href
  const check = (): void => {
    if (location.href === current) return
    const previous = current
    current = location.href
    onChange(previous)
  }
  for (const name of ['pushState', 'replaceState'] as const) {
    const original = history[name].bind(history)
    history[name] = (...args: Parameters<History['pushState']>) => {
      original(...args)
      check()
    }
  }
  addEventListener('popstate', check)
}
