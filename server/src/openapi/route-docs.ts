import { z } from 'zod'
import {
  batchSchema,
  browserIdentifySchema,
  schemasByType,
  type CallType,
} from '../contract/event-schemas.ts'
import { personalizeSchema } from '../routes/personalize-routes.ts'
import { batchPaths, beaconPaths, callPaths, trackingPaths } from '../routes/segment-routes.ts'
import { identifiers } from '../routes/privacy-routes.ts'
import { profileQuery } from '../routes/profile-query.ts'
import * as answers from './answer-schemas.ts'
import { consoleApiDocs } from './console-api-docs.ts'
import type { RouteDoc } from './route-doc.ts'

const bodyWriteKey = {
  writeKey: z.string().optional().meta({
    description: 'The write key, for clients that cannot send Basic auth (Segment accepts both)',
  }),
}

const callErrors = ['invalid_field', 'missing_identity', 'too_deep', 'too_many_keys'] as const
/** What a browser write key's call may be refused for besides (see docs/api.md). */
const browserKey = ['unverified_user_id', 'identity_verification_failed'] as const

const segmentCalls = (['identify', 'group', 'track', 'page', 'alias'] as const).flatMap((type) =>
  callPaths[type].map((path): RouteDoc => ({
    method: 'post',
    path,
    tag: 'Segment API',
    summary:
      path === `/v1/${type}`
        ? `A Segment ${type} call from a server or an SDK`
        : `The same as /v1/${type}: the short path analytics.js posts to`,
    auth: 'writeKey',
    body: schemasByType[type].extend(bodyWriteKey),
    answer: answers.trackingAnswer,
    errors:
      type === 'alias' ? [...callErrors, 'server_key_required'] : [...callErrors, ...browserKey],
  })),
)

const batchCalls = [
  ...batchPaths.map((path): RouteDoc => ({
    method: 'post',
    path,
    tag: 'Segment API',
    summary:
      path === '/v1/batch'
        ? 'Up to 2,500 Segment calls at once; each is stored or rejected on its own'
        : 'The same as /v1/batch: the short path analytics.js batching posts to',
    auth: 'writeKey',
    body: batchSchema.extend(bodyWriteKey),
    answer: answers.batchAnswer,
    errors: ['invalid_field', 'too_many_events'],
  })),
  ...beaconPaths.map((path): RouteDoc => ({
    method: 'post',
    path,
    tag: 'Segment API',
    summary: "A batch from RudderStack's browser SDK with useBeacon: the write key in the query",
    auth: 'none',
    query: z.object({ writeKey: z.string().meta({ description: 'A browser write key' }) }),
    body: batchSchema,
    answer: answers.batchAnswer,
    errors: ['invalid_field', 'too_many_events', 'invalid_write_key'],
  })),
]

const preflights = trackingPaths.map((path): RouteDoc => ({
  method: 'options',
  path,
  tag: 'Segment API',
  summary: 'CORS preflight of a browser SDK (only allowed origins get the Allow headers)',
  auth: 'none',
  status: 204,
  answer: { description: 'No content; Access-Control-Allow-* headers for an allowed origin' },
  errors: ['origin_not_allowed'],
}))

const browserSchemas: Record<Exclude<CallType, 'alias'>, z.ZodType> = {
  identify: browserIdentifySchema,
  page: schemasByType.page,
  track: schemasByType.track,
  group: schemasByType.group,
}

const browserCalls = Object.entries(browserSchemas).map(([type, body]): RouteDoc => ({
  method: 'post',
  path: `/v1/web/${type}`,
  tag: 'Browser',
  summary: `A ${type} call from the browser client, on the site's own domain`,
  auth: 'none',
  body,
  answer: answers.browserAnswer,
  errors: type === 'identify' ? [...callErrors, 'identity_verification_failed'] : callErrors,
}))

const html = { contentType: 'text/html', description: 'A console page' }
const toSignIn = { description: 'Redirects (See Other) to the page named in `Location`' }

/** A console page or form; `auth` is `consoleSession` but for the sign-in page and the stylesheet. */
const consoleRoute = (
  method: 'get' | 'post',
  path: string,
  summary: string,
  more: Partial<RouteDoc> = {},
): RouteDoc => ({
  method,
  path,
  tag: 'Console',
  summary,
  auth: 'consoleSession',
  answer: html,
  errors: [],
  ...more,
})

const consoleRoutes: RouteDoc[] = [
  consoleRoute('get', '/console', 'The console: redirects to the experiences', {
    status: 303,
    answer: toSignIn,
  }),
  consoleRoute('get', '/console/assets/console.css', "The console's stylesheet", {
    auth: 'none',
    answer: { contentType: 'text/css', description: 'The stylesheet' },
  }),
  consoleRoute('get', '/console/assets/editor.js', "The editor's script (its pages only)", {
    auth: 'none',
    answer: { contentType: 'application/javascript', description: 'The script' },
  }),
  consoleRoute('get', '/console/sign-in', 'The sign-in form', { auth: 'none' }),
  consoleRoute(
    'post',
    '/console/sign-in',
    'Signs in a person (form fields `name`, `password`) or the operator (field `token`)',
    {
      auth: 'none',
      status: 303,
      answer: toSignIn,
    },
  ),
  consoleRoute('post', '/console/sign-out', 'Ends the session (form field `_csrf`)', {
    status: 303,
    answer: toSignIn,
  }),
  consoleRoute('get', '/console/experiences', 'Experiences with exposure, lift and a verdict'),
  consoleRoute('get', '/console/experiences/:id', 'The results of one experience for a goal', {
    params: { id: 'The experience id in the personalisation config' },
  }),
  consoleRoute('get', '/console/segments', 'Segments in words, audience sizes and overlaps'),
  consoleRoute('get', '/console/profiles', 'Profile search by user id, email, device or account'),
  consoleRoute('get', '/console/profiles/:id', 'One profile: traits, devices, account, merge log', {
    params: { id: 'The profile id' },
  }),
  consoleRoute('get', '/console/profiles/:id/export', 'The privacy export of one profile', {
    params: { id: 'The profile id' },
    answer: { contentType: 'application/json', description: 'The export, as a download' },
  }),
  consoleRoute('get', '/console/profiles/:id/delete', 'Asks to confirm deleting a profile', {
    params: { id: 'The profile id' },
  }),
  consoleRoute(
    'post',
    '/console/profiles/:id/delete',
    'Deletes a profile (fields `confirm`, `_csrf`; editors)',
    {
      params: { id: 'The profile id' },
      errors: ['insufficient_role'],
    },
  ),
  consoleRoute('get', '/console/preview', 'What a profile or typed traits would see on a URL'),
  consoleRoute('get', '/console/config', 'The personalisation config in force'),
  consoleRoute('get', '/console/edit/segment', 'The segment builder (`?id=` to edit one)'),
  consoleRoute('get', '/console/edit/experience', 'The experience editor (`?id=` to edit one)'),
  consoleRoute('get', '/console/publish', 'Review a draft: its diff, problems, preview; publish'),
  consoleRoute('get', '/console/versions', 'The version history, with rollback for editors'),
  consoleRoute('get', '/console/versions/:number', 'One version: its change and its config', {
    params: { number: 'The version number' },
    errors: ['config_version_not_found'],
  }),
  consoleRoute(
    'post',
    '/console/versions/:number/rollback',
    'Rolls back to a version (fields `baseVersion`, `note`, `confirmMoves`, `_csrf`; editors)',
    {
      params: { number: 'The version to make current again' },
      status: 303,
      answer: toSignIn,
      errors: [
        'insufficient_role',
        'config_pinned',
        'config_version_conflict',
        'config_version_not_found',
        'confirmation_required',
      ],
    },
  ),
  consoleRoute('get', '/console/audit', 'The audit log: every publish, rollback and status change'),
]

const demoPage = (path: string, contentType: string): RouteDoc => ({
  method: 'get',
  path,
  tag: 'Demo site',
  summary: `The demo site's ${path} (outside production only)`,
  auth: 'none',
  answer: { contentType, description: 'A file of the demo site' },
  errors: [],
  demoOnly: true,
})

/**
 * Every route the container serves, as `/openapi.json` describes it. A route added to the app
 * needs an entry here: `test/openapi/openapi.test.ts` walks the router and fails until it has one.
 */
export const routeDocs: readonly RouteDoc[] = [
  {
    method: 'post',
    path: '/v1/personalize',
    tag: 'Browser',
    summary: "The visitor's segments and experiences on a page, without counting a page view",
    auth: 'none',
    body: personalizeSchema,
    answer: answers.personalizeAnswer,
    errors: ['invalid_field', 'too_deep', 'too_many_keys'],
  },
  ...browserCalls,
  ...segmentCalls,
  ...batchCalls,
  ...preflights,
  {
    method: 'get',
    path: '/v1/admin/profiles/lookup',
    tag: 'Admin',
    summary: 'One profile: traits, devices, company account, visitor counters, merge log',
    auth: 'adminToken',
    query: profileQuery,
    answer: answers.lookupAnswer,
    errors: ['invalid_field', 'profile_not_found'],
  },
  {
    method: 'get',
    path: '/v1/admin/profiles/export',
    tag: 'Privacy',
    summary: 'Everything held on one person (right of access)',
    auth: 'adminToken',
    query: profileQuery,
    answer: answers.exportAnswer,
    errors: ['invalid_field', 'profile_not_found'],
  },
  {
    method: 'delete',
    path: '/v1/admin/profiles',
    tag: 'Privacy',
    summary: 'Erases one person and suppresses their identifiers (idempotent)',
    auth: 'adminToken',
    query: profileQuery,
    answer: answers.deleteAnswer,
    errors: ['invalid_field'],
  },
  {
    method: 'post',
    path: '/v1/admin/suppressions',
    tag: 'Privacy',
    summary: 'Stops recording anything about these identifiers',
    auth: 'adminToken',
    body: identifiers,
    answer: answers.suppressAnswer,
    errors: ['invalid_field'],
  },
  {
    method: 'get',
    path: '/v1/admin/suppressions',
    tag: 'Privacy',
    summary: 'Whether each identifier is suppressed',
    auth: 'adminToken',
    query: identifiers,
    answer: answers.suppressionsAnswer,
    errors: ['invalid_field'],
  },
  {
    method: 'delete',
    path: '/v1/admin/suppressions',
    tag: 'Privacy',
    summary: 'Lifts the suppression of these identifiers (deleted data stays deleted)',
    auth: 'adminToken',
    query: identifiers,
    answer: answers.liftAnswer,
    errors: ['invalid_field'],
  },
  {
    method: 'get',
    path: '/v1/admin/experiences/:id/report',
    tag: 'Admin',
    summary: 'Visitors, conversions, lift and p-value per goal of one experience',
    auth: 'adminToken',
    params: { id: 'The experience id in the personalisation config' },
    answer: answers.reportAnswer,
    errors: ['experience_not_found'],
  },
  {
    method: 'get',
    path: '/healthz',
    tag: 'Operations',
    summary: 'The process serves',
    auth: 'none',
    answer: answers.healthAnswer,
    errors: [],
  },
  {
    method: 'get',
    path: '/readyz',
    tag: 'Operations',
    summary: 'The process serves and its store answers: route traffic on this',
    auth: 'none',
    answer: answers.readyAnswer,
    errors: ['store_unavailable'],
  },
  {
    method: 'get',
    path: '/metrics',
    tag: 'Operations',
    summary: 'Prometheus metrics: counts and timings, no visitor data',
    auth: 'metricsToken',
    answer: { contentType: 'text/plain; version=0.0.4', description: 'Prometheus text format' },
    errors: [],
  },
  {
    method: 'get',
    path: '/openapi.json',
    tag: 'Operations',
    summary: 'This description (OpenAPI 3.1)',
    auth: 'none',
    answer: { contentType: 'application/json', description: 'An OpenAPI 3.1 document' },
    errors: [],
  },
  {
    method: 'get',
    path: '/parley/:file',
    tag: 'Browser',
    summary: 'The browser scripts: loader.js, client.js and the versioned client.<hash>.js',
    auth: 'none',
    params: { file: '`loader.js`, `client.js` or `client.<hash>.js`' },
    answer: { contentType: 'application/javascript', description: 'The script' },
    errors: ['route_not_found'],
  },
  ...consoleRoutes,
  ...consoleApiDocs,
  demoPage('/', 'text/html'),
  demoPage('/pricing', 'text/html'),
  demoPage('/demo/demo.js', 'application/javascript'),
  demoPage('/demo/demo.css', 'text/css'),
]
