import type { ConfigDiff } from '../../config-versions/config-diff.ts'
import type { DraftDocument } from './draft-merge.ts'
import type { ConfigIssue } from './issue-fields.ts'

/*
 * The console API as the editor calls it (docs/api.md#console-api): same-origin `fetch` with
 * the session cookie, JSON bodies, the session's CSRF token on every change. A refusal is an
 * `ApiError` with the API's stable code, message, path and details.
 */

/** A version without its document. */
export interface VersionMeta {
  number: number
  kind: 'publish' | 'rollback' | 'seed' | 'import'
  author: string
  at: number
  note: string
  baseVersion: number | null
  restoredFrom: number | null
}

/** What a change does to visitors' buckets. */
export interface Impact {
  experience: string
  variation?: string
  change: string
  movesRecordedVisitors: boolean
  newVisitorsMoved?: number
  recordedVisitors?: number
  message: string
}

export interface Me {
  person: { name: string; role: 'editor' | 'viewer'; kind: 'user' | 'operator' }
  csrf: string
  mayPublish: boolean
  config: {
    source: 'store' | 'file'
    editable: boolean
    pinned?: { file: string; reason: string }
    version: VersionMeta | null
  }
  propagationBoundMs: number
}

export interface ConfigAnswer {
  version: VersionMeta | null
  document: DraftDocument
}

export interface DiffAnswer {
  against: number | null
  diff: ConfigDiff
  summary: string
  impacts: Impact[]
}

export interface Published {
  version: VersionMeta
  diff: ConfigDiff
  summary: string
  impacts: Impact[]
}

export interface AudienceAnswer {
  total: number
  sampled: number
  estimate: number
  exact: boolean
  low: number
  high: number
}

export interface PreviewAnswer {
  who: string
  segments: string[]
  experiences: {
    id: string
    variation: string
    control: boolean
    content: Record<string, string>
  }[]
}

/** A refusal of the API: `{error: {code, message, path, details}}` and the HTTP status. */
export class ApiError extends Error {
  override name = 'ApiError'
  readonly status: number
  readonly code: string
  readonly path: string | undefined
  readonly details: Record<string, unknown>

  constructor(
    status: number,
    body: { code?: string; message?: string; path?: string; details?: Record<string, unknown> },
  ) {
    super(body.message ?? `The console answered ${status}`)
    this.status = status
    this.code = body.code ?? 'unknown'
    this.path = body.path
    this.details = body.details ?? {}
  }

  /** The loader's issues of an `invalid_config` refusal. */
  get issues(): ConfigIssue[] {
    const issues = this.details.issues
    return Array.isArray(issues) ? (issues as ConfigIssue[]) : []
  }
}

let csrf = ''

/** Keeps the session's CSRF token (from `GET /console/api/me`) for every change. */
export function useCsrf(token: string): void {
  csrf = token
}

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  let response: Response
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers:
        method === 'POST' ? { 'content-type': 'application/json', 'x-csrf-token': csrf } : {},
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
  } catch {
    throw new ApiError(0, {
      code: 'network',
      message: 'The console could not be reached: check the connection and try again.',
    })
  }
  const answer = (await response.json().catch(() => ({}))) as {
    error?: ConstructorParameters<typeof ApiError>[1]
  }
  if (!response.ok) throw new ApiError(response.status, answer.error ?? {})
  return answer as T
}

/** The console API's routes the editor uses. */
export const api = {
  me: () => call<Me>('GET', '/console/api/me'),
  config: () => call<ConfigAnswer>('GET', '/console/api/config'),
  version: (number: number) =>
    call<{ version: VersionMeta; document: DraftDocument }>(
      'GET',
      `/console/api/versions/${number}`,
    ),
  validate: (document: DraftDocument) =>
    call<{ valid: boolean; issues: ConfigIssue[] }>('POST', '/console/api/validate', { document }),
  diff: (document: DraftDocument, against: number | null) =>
    call<DiffAnswer>('POST', '/console/api/diff', {
      document,
      ...(against === null ? {} : { against }),
    }),
  audience: (rule: unknown) => call<AudienceAnswer>('POST', '/console/api/audience', { rule }),
  preview: (input: {
    document: DraftDocument
    url: string
    device: string
    profile: string
    userTraits?: Record<string, unknown>
    companyTraits?: Record<string, unknown>
  }) => call<PreviewAnswer>('POST', '/console/api/preview', input),
  publish: (input: {
    document: DraftDocument
    baseVersion: number | null
    note: string
    confirmMoves?: boolean
  }) => call<Published>('POST', '/console/api/publish', input),
}
