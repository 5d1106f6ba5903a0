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
