import { isJsonObject, type JsonObject } from '../traits/json.ts'

/** What a call says about personalisation consent. */
export type ConsentSignal = 'granted' | 'refused' | 'unknown'

/**
 * Reads the personalisation consent a call carries: Parley's `context.consent.personalization`
 * (`true` / `false`; the browser client sends `true`, as it sends nothing before consent),
 * Google's consent mode `context.consent.personalization_storage` (`"granted"` / `"denied"`), or
 * Segment's consent object `context.consent.categoryPreferences.personalization`.
 */
export function personalizationConsent(context: JsonObject | null | undefined): ConsentSignal {
  const consent = context?.consent
  if (!isJsonObject(consent)) return 'unknown'
  const categories = consent.categoryPreferences
  const signals = [
    consent.personalization,
    consent.personalization_storage === 'granted'
      ? true
      : consent.personalization_storage === 'denied'
        ? false
        : undefined,
    isJsonObject(categories) ? categories.personalization : undefined,
  ]
  if (signals.includes(false)) return 'refused'
  return signals.includes(true) ? 'granted' : 'unknown'
}

/**
 * Whether a call may be enriched: never when it says the visitor refused; with
 * `PARLEY_ENRICHMENT_CONSENT=required`, only when it says they agreed.
 */
export function mayEnrich(
  context: JsonObject | null | undefined,
  mode: 'unless-refused' | 'required',
): boolean {
  const signal = personalizationConsent(context)
  return mode === 'required' ? signal === 'granted' : signal !== 'refused'
}
