import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { z } from 'zod'
import { errorStatus, type ErrorCode } from '../errors/error-codes.ts'
import { browserPaths } from '../http/browser-guard.ts'
import { sessionCookie } from '../console/session.ts'
import { errorAnswer } from './answer-schemas.ts'
import type { RouteAuth, RouteDoc } from './route-doc.ts'
import { routeDocs } from './route-docs.ts'

type JsonSchema = Record<string, unknown>

const securitySchemes = {
  writeKey: {
    type: 'http',
    scheme: 'basic',
    description:
      "Segment's write-key auth: the write key as the user name, an empty password. A client " +
      'that cannot send the header may put `writeKey` in the JSON body instead.',
  },
  adminToken: {
    type: 'http',
    scheme: 'bearer',
    description: '`Authorization: Bearer <PARLEY_ADMIN_TOKEN>`',
  },
  metricsToken: {
    type: 'http',
    scheme: 'bearer',
    description:
      '`Authorization: Bearer <PARLEY_METRICS_TOKEN>`, or the admin token when no metrics token is set',
  },
  consoleSession: {
    type: 'apiKey',
    in: 'cookie',
    name: sessionCookie,
    description:
      'The console session, set by signing in at `/console/sign-in` (a person: name and password; ' +
      'the operator: the admin token). A page without one redirects there (303); a form change ' +
      'without one, or without its `_csrf` field, is refused with an HTML page (401 / 403). The ' +
      'JSON API (`/console/api/…`) answers JSON errors instead, and takes the CSRF token in the ' +
      '`X-CSRF-Token` header.',
  },
} as const

const authErrors: Record<RouteAuth, ErrorCode[]> = {
  writeKey: ['invalid_write_key'],
  adminToken: ['invalid_admin_token'],
  metricsToken: ['invalid_metrics_token'],
  // The console answers its refusals as pages, not as JSON errors.
  consoleSession: [],
  none: [],
}

const bodyErrors: ErrorCode[] = [
  'invalid_json',
  'empty_body',
  'invalid_encoding',
  'payload_too_large',
  'unsupported_media_type',
]

/**
 * The OpenAPI 3.1 description of the container, built from `routeDocs`: request bodies and
 * query strings are the zod schemas the routes parse with (their input side, as JSON Schema),
 * answers the shapes of `answer-schemas.ts`, errors `{error: {code, message, path}}` listed by
 * status. `production` leaves out the demo site, as the app does.
 */
export function buildOpenApi(options: { production: boolean }): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {}
  for (const doc of routeDocs) {
    if (doc.demoOnly === true && options.production) continue
    const path = openApiPath(doc.path)
    paths[path] = { ...paths[path], [doc.method]: operation(doc) }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Parley container',
      version: packageVersion(),
      description:
        'Visitor identification and personalisation. Field-by-field reference: docs/api.md.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    paths,
    components: { securitySchemes, schemas: { Error: toJsonSchema(errorAnswer, 'output') } },
  }
}

/** Every code a route may answer: its own, and those its auth, body and guards bring. */
export function errorCodesOf(doc: RouteDoc): ErrorCode[] {
  const codes = new Set<ErrorCode>([...doc.errors, ...authErrors[doc.auth]])
  if (doc.body !== undefined) for (const code of bodyErrors) codes.add(code)
  if (browserPaths.some((prefix) => doc.path.startsWith(prefix))) {
    codes.add('origin_not_allowed')
    codes.add('rate_limited')
  }
  if (doc.body !== undefined || doc.query !== undefined || doc.auth === 'adminToken') {
    codes.add('store_unavailable')
  }
  // Any route: a request Express cannot read (a malformed URL escape), an unexpected fault.
  codes.add('invalid_request')
  codes.add('internal_error')
  return [...codes]
}

/** `/v1/admin/experiences/:id/report` as OpenAPI writes it: `/v1/admin/experiences/{id}/report`. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}')
}

function operation(doc: RouteDoc): Record<string, unknown> {
  const parameters = [
    ...Object.entries(doc.params ?? {}).map(([name, description]) => ({
      name,
      in: 'path',
      required: true,
      description,
      schema: { type: 'string' },
    })),
    ...Object.entries(doc.query?.shape ?? {}).map(([name, schema]) => ({
      name,
      in: 'query',
      required: !(schema as z.ZodType).safeParse(undefined).success,
      schema: toJsonSchema(schema as z.ZodType, 'input'),
    })),
  ]
  return {
    tags: [doc.tag],
    summary: doc.summary,
    operationId: `${doc.method}${doc.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c?: string) => (c ?? '').toUpperCase())}`,
    security: doc.auth === 'none' ? [] : [{ [doc.auth]: [] }],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(doc.body === undefined
      ? {}
      : {
          requestBody: {
            required: true,
            description: 'JSON, sent as application/json or text/plain',
            content: { 'application/json': { schema: toJsonSchema(doc.body, 'input') } },
          },
        }),
    responses: {
      [String(doc.status ?? 200)]: success(doc.answer),
      ...errorResponses(errorCodesOf(doc)),
    },
  }
}

function success(answer: RouteDoc['answer']): Record<string, unknown> {
  if (!(answer instanceof z.ZodType)) {
    if (answer.contentType === undefined) return { description: answer.description }
    return {
      description: answer.description,
      content: { [answer.contentType]: { schema: { type: 'string' } } },
    }
  }
  return {
    description: 'OK',
    content: { 'application/json': { schema: toJsonSchema(answer, 'output') } },
  }
}

function errorResponses(codes: ErrorCode[]): Record<string, unknown> {
  const byStatus = new Map<number, ErrorCode[]>()
  for (const code of codes)
    byStatus.set(errorStatus[code], [...(byStatus.get(errorStatus[code]) ?? []), code])
  const responses: Record<string, unknown> = {}
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[String(status)] = {
      description: `Error: ${list.map((code) => `\`${code}\``).join(', ')}`,
      content: {
        'application/json': {
          schema: {
            allOf: [
              { $ref: '#/components/schemas/Error' },
              { properties: { error: { properties: { code: { enum: list } } } } },
            ],
          },
        },
      },
    }
  }
  return responses
}

/**
 * A zod schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect). `input` describes what a client
 * sends (before transforms), `output` what the container answers. The JSON-object checks
 * (`z.custom`) become `type: object`.
 */
export function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const out = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    override: (ctx) => {
      if (ctx.zodSchema._zod.def.type === 'custom') ctx.jsonSchema.type = 'object'
    },
  }) as JsonSchema
  delete out.$schema
  return out
}

function packageVersion(): string {
  const file = resolve(import.meta.dirname, '../../../package.json')
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version
}
