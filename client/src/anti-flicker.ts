const styleId = 'parley-anti-flicker'

/** The anti-flicker timeout for a setting: `true` means 1 s; off gives `undefined`. */
export function antiFlickerMs(setting: boolean | number | undefined): number | undefined {
  if (setting === true) return 1000
  return typeof setting === 'number' && setting > 0 ? setting : undefined
}

/**
 * Hides only the marked slots (not the page) until `showSlots()` or the timeout, so a slow
 * container never keeps the page blank.
 */
export function hideSlots(timeoutMs: number): void {
  if (document.getElementById(styleId) !== null) return
  const style = document.createElement('style')
  style.id = styleId
  style.textContent = '[data-parley-slot]{visibility:hidden!important}'
  ;(document.head ?? document.documentElement).appendChild(style)
  setTimeout(showSlots, timeoutMs)
}

/** Reveals the slots; safe to call any number of times. */
export function showSlots(): void {
  document.getElementById(styleId)?.remove()
}
