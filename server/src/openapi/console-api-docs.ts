import type { ErrorCode } from '../errors/error-codes.ts'
import * as schemas from '../console/api/api-schemas.ts'
import type { RouteDoc } from './route-doc.ts'

/** What every console API route may answer besides its own: no session, or a change without CSRF. */
const sessionErrors: ErrorCode[] = ['console_session_required', 'store_unavailable']
const changeErrors: ErrorCode[] = [...sessionErrors, 'invalid_csrf_token', 'origin_not_allowed']
/** And what every write of the config may answer. */
const writeErrors: ErrorCode[] = [
  ...changeErrors,
  'insufficient_role',
  'config_pinned',
  'config_version_conflict',
  'confirmation_required',
  'invalid_config',
  'invalid_field',
]

const api = (doc: Omit<RouteDoc, 'tag' | 'auth'>): RouteDoc => ({
  ...doc,
  tag: 'Console API',
  auth: 'consoleSession',
})

/**
 * The console's JSON API (`console/api/console-api-routes.ts`), as `/openapi.json` describes it;
 * field by field in docs/api.md#console-api.
 */
export const consoleApiDocs: readonly RouteDoc[] = [
  api({
    method: 'get',
    path: '/console/api/me',
    summary: 'Who is signed in, their role, the CSRF token, and whether the config can be edited',
    answer: schemas.meAnswer,
    errors: sessionErrors,
  }),
  api({
    method: 'get',
    path: '/console/api/config',
    summary: 'The newest config version and its document (or the pinned file’s config)',
    answer: schemas.configAnswer,
    errors: sessionErrors,
  }),
  api({
    method: 'get',
    path: '/console/api/versions',
    summary: 'Config versions, newest first, each with a summary of its change',
    query: schemas.pageQuery,
    answer: schemas.versionsAnswer,
    errors: [...sessionErrors, 'invalid_field'],
  }),
  api({
    method: 'get',
    path: '/console/api/versions/:number',
    summary: 'One config version with its document',
    params: { number: 'The version number' },
    answer: schemas.versionAnswer,
    errors: [...sessionErrors, 'invalid_field', 'config_version_not_found'],
  }),
  api({
    method: 'get',
    path: '/console/api/diff',
    summary: 'What changed between two versions, and what it does to visitors’ buckets',
    query: schemas.diffQuery,
    answer: schemas.diffBetweenAnswer,
    errors: [...sessionErrors, 'invalid_field', 'config_version_not_found'],
  }),
  api({
    method: 'post',
    path: '/console/api/diff',
    summary: 'What a draft changes from a version (default: the newest), before publishing it',
    body: schemas.draftDiffBody,
    answer: schemas.draftDiffAnswer,
    errors: [...changeErrors, 'invalid_field', 'invalid_config', 'config_version_not_found'],
  }),
  api({
    method: 'post',
    path: '/console/api/validate',
    summary: 'Checks a draft as the loader does, storing nothing: every problem with its path',
    body: schemas.validateBody,
    answer: schemas.validateAnswer,
    errors: [...changeErrors, 'invalid_field'],
  }),
  api({
    method: 'post',
    path: '/console/api/preview',
    summary:
      'What a profile or typed traits would see on a URL, with a draft or the config in force',
    body: schemas.previewBody,
    answer: schemas.previewAnswer,
    errors: [...changeErrors, 'invalid_field', 'invalid_config', 'profile_not_found'],
  }),
  api({
    method: 'post',
    path: '/console/api/audience',
    summary: 'How many profiles a draft segment rule matches now (exact, or a sampled estimate)',
    body: schemas.audienceBody,
    answer: schemas.audienceAnswer,
    errors: [...changeErrors, 'invalid_field', 'invalid_config'],
  }),
  api({
    method: 'post',
    path: '/console/api/publish',
    summary: 'Publishes a draft as the next version (editors; refused when made from an older one)',
    body: schemas.publishBody,
    answer: schemas.publishedAnswer,
    errors: writeErrors,
  }),
  api({
    method: 'post',
    path: '/console/api/rollback',
    summary: 'Makes a new version equal to an earlier one (editors)',
    body: schemas.rollbackBody,
    answer: schemas.publishedAnswer,
    errors: [...writeErrors, 'config_version_not_found'],
  }),
  api({
    method: 'post',
    path: '/console/api/status',
    summary: 'Pauses, resumes, concludes an experience, or pauses one variation (editors)',
    body: schemas.statusBody,
    answer: schemas.publishedAnswer,
    errors: [...writeErrors, 'experience_not_found', 'variation_not_found'],
  }),
  api({
    method: 'get',
    path: '/console/api/audit',
    summary: 'The audit log: publishes, rollbacks, status and user changes, newest first',
    query: schemas.pageQuery,
    answer: schemas.auditAnswer,
    errors: [...sessionErrors, 'invalid_field'],
  }),
]
