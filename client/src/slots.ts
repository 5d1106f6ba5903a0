import type { Payload } from './types.ts'

/** The page's own text of each slot, to put back when a payload no longer fills it. */
const originals = new WeakMap<Element, string>()

/** Slot name -> text from every experience of the payload; the first experience wins a slot. */
export function slotTexts(payload: Payload): Map<string, string> {
  const texts = new Map<string, string>()
  for (const experience of payload.experiences ?? []) {
    for (const [slot, text] of Object.entries(experience.content ?? {})) {
      if (!texts.has(slot) && typeof text === 'string') texts.set(slot, text)
    }
  }
  return texts
}

/**
 * Writes each slot's text into `[data-parley-slot]` elements with `textContent` only, so
 * content can never become markup. Slots the payload does not fill get their original text back
 * (after a logout or a device rotation, the previous person's content must not stay).
 */
export function applySlots(texts: Map<string, string>): void {
  for (const element of document.querySelectorAll('[data-parley-slot]')) {
    const text = texts.get(element.getAttribute('data-parley-slot') ?? '')
    const original = originals.get(element)
    if (text !== undefined) {
      if (original === undefined) originals.set(element, element.textContent ?? '')
      if (element.textContent !== text) element.textContent = text
    } else if (original !== undefined) {
      element.textContent = original
      originals.delete(element)
    }
  }
}
