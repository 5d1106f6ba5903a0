/**
 * Every error the container answers with, by stable code. Clients and docs rely on these names;
 * add new codes, never rename one.
 */
export const errorStatus = {
  invalid_json: 400,
  empty_body: 400,
  invalid_encoding: 400,
  invalid_request: 400,
  invalid_field: 400,
  missing_identity: 400,
  too_deep: 400,
  too_many_keys: 400,
  too_many_events: 400,
  invalid_config: 400,
  payload_too_large: 413,
  unsupported_media_type: 415,
  invalid_write_key: 401,
  invalid_admin_token: 401,
  invalid_metrics_token: 401,
  identity_verification_failed: 401,
  console_session_required: 401,
  origin_not_allowed: 403,
  server_key_required: 403,
  unverified_user_id: 403,
  invalid_csrf_token: 403,
  insufficient_role: 403,
  route_not_found: 404,
  profile_not_found: 404,
  rate_limited: 429,
  experience_not_found: 404,
  variation_not_found: 404,
  config_version_not_found: 404,
  config_version_conflict: 409,
  config_pinned: 409,
  confirmation_required: 409,
  store_unavailable: 503,
  internal_error: 500,
} as const

export type ErrorCode = keyof typeof errorStatus
