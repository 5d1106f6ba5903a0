import { z } from 'zod'
import {
  batchSchema,
  browserIdentifySchema,
  schemasByType,
  type CallType,
} from '../contract/event-schemas.ts'
import { personalizeSchema } from '../routes/personalize-routes.ts'
import { identifiers } from '../routes/privacy-routes.ts'
import { profileQuery } from '../routes/profile-query.ts'
import * as answers from './answer-schemas.ts'
import type { RouteDoc } from './route-doc.ts'

const bodyWriteKey = {
  writeKey: z.string().optional().meta({
    description: 'The write key, for clients that cannot send Basic auth (Segment accepts both)',
  }),
}

const callErrors = ['invalid_field', 'missing_identity', 'too_deep', 'too_many_keys'] as const

const segmentCalls = (['identify', 'group', 'track', 'page', 'alias'] as const).map(
  (type): RouteDoc => ({
    method: 'post',
    path: `/v1/${type}`,
    tag: 'Segment API',
    summary: `A Segment ${type} call from a server or an SDK`,
    auth: 'writeKey',
    body: schemasByType[type].extend(bodyWriteKey),
    answer: answers.successAnswer,
    errors: callErrors,
  }),
)

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
  {
    method: 'post',
    path: '/v1/batch',
    tag: 'Segment API',
    summary: 'Up to 2,500 Segment calls at once; each is stored or rejected on its own',
    auth: 'writeKey',
    body: batchSchema.extend(bodyWriteKey),
    answer: answers.batchAnswer,
    errors: ['invalid_field', 'too_many_events'],
  },
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
  demoPage('/', 'text/html'),
  demoPage('/pricing', 'text/html'),
  demoPage('/demo/demo.js', 'application/javascript'),
  demoPage('/demo/demo.css', 'text/css'),
]
