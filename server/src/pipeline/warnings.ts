/** Stable codes of the warnings a call can carry back: it was accepted, with these caveats. */
export type WarningCode =
  | 'junk_user_id'
  | 'junk_anonymous_id'
  | 'forbidden_key'
  | 'invalid_reserved_trait'
  | 'company_without_key'
  | 'company_requires_verification'
  | 'known_user_conflict'
  | 'alias_refused'
  | 'duplicate_message'
  | 'too_many_traits'
  | 'suppressed'

/** A caveat on an accepted call, with the path of the value it concerns. */
export interface Warning {
  code: WarningCode
  message: string
  path?: string
}

/** Adds `warnings` to a response body when there are any. */
export function withWarnings<T extends object>(
  body: T,
  warnings: Warning[],
): T & { warnings?: Warning[] } {
  return warnings.length > 0 ? { ...body, warnings } : body
}
