import { isJsonObject, type JsonObject } from '../traits/json.ts'

/**
 * True when the call says the visitor refused personalisation: Parley's
 * `context.consent.personalization: false`, Google's consent mode
 * `context.consent.personalization_storage: "denied"`, or Segment's consent object
 * `context.consent.categoryPreferences.personalization: false`. Parley's own client sends no
 * call at all before consent, so its calls always pass.
 */
export function personalizationRefused(context: JsonObject | null | undefined): boolean {
  const consent = context?.consent
  if (!isJsonObject(consent)) return false
  if (consent.personalization === false) return true
  if (consent.personalization_storage === 'denied') return true
  const categories = consent.categoryPreferences
  return isJsonObject(categories) && categories.personalization === false
}
