import type { RunningContainer } from './start-container.ts'
import { testCredentials } from './start-container.ts'

/** A response as the tests read it. */
export interface CallResult {
  status: number
  body: Record<string, unknown>
}

const writeAuth = `Basic ${Buffer.from(`${testCredentials.writeKey}:`).toString('base64')}`

/**
 * POSTs JSON to a started container: `/v1/web/*` as a browser would (no credentials), anything
 * else with the test write key. `timeoutMs` bounds the wait (default 30 s), so a hung request
 * fails the test instead of the run.
 */
export async function post(
  container: Pick<RunningContainer, 'url'>,
  path: string,
  body: unknown,
  timeoutMs = 30_000,
): Promise<CallResult> {
  const response = await fetch(`${container.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(path.startsWith('/v1/web/') ? {} : { authorization: writeAuth }),
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

/** GETs a path with the test admin token (bounded like `post`). */
export async function get(
  container: Pick<RunningContainer, 'url'>,
  path: string,
  timeoutMs = 30_000,
): Promise<CallResult> {
  const response = await fetch(`${container.url}${path}`, {
    headers: { authorization: `Bearer ${testCredentials.adminToken}` },
    signal: AbortSignal.timeout(timeoutMs),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

/** A console session on a started container: the JSON API with its cookie and CSRF token. */
export interface ContainerConsole {
  get: (path: string) => Promise<CallResult>
  /** A JSON POST with the session's cookie and `X-CSRF-Token`. */
  post: (path: string, body: unknown) => Promise<CallResult>
}

/**
 * Signs in to a started container's console, as the operator (admin token) or a person (name
 * and password, e.g. added with `seedUser` or `parley user add`), through the sign-in form.
 */
export async function consoleSession(
  container: Pick<RunningContainer, 'url'>,
  who: 'operator' | { name: string; password: string } = 'operator',
): Promise<ContainerConsole> {
  const form = new URLSearchParams(who === 'operator' ? { token: testCredentials.adminToken } : who)
  const signedIn = await fetch(`${container.url}/console/sign-in`, {
    method: 'POST',
    body: form,
    redirect: 'manual',
    signal: AbortSignal.timeout(30_000),
  })
  if (signedIn.status !== 303) throw new Error(`console sign-in answered ${signedIn.status}`)
  const cookie = (signedIn.headers.get('set-cookie') ?? '').split(';', 1)[0] ?? ''
  const call = async (path: string, init: RequestInit = {}): Promise<CallResult> => {
    const response = await fetch(`${container.url}${path}`, {
      ...init,
      headers: { cookie, ...(init.headers as Record<string, string> | undefined) },
      signal: AbortSignal.timeout(30_000),
    })
    return { status: response.status, body: (await response.json()) as Record<string, unknown> }
  }
  const me = (await call('/console/api/me')).body
  const csrf = typeof me.csrf === 'string' ? me.csrf : ''
  return {
    get: (path) => call(path),
    post: (path, body) =>
      call(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
        body: JSON.stringify(body),
      }),
  }
}
