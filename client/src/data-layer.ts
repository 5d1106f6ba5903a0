/**
 * Pushes a GTM event to `window.dataLayer`. `_clear` makes GTM replace the `parley` key instead of
 * merging arrays index by index with the previous event's.
 */
export function pushEvent(event: string, parley?: Record<string, unknown>): void {
  const dataLayer = (window.dataLayer ??= [])
  dataLayer.push(parley === undefined ? { event } : { event, parley, _clear: true })
}
