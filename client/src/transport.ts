import type { CallType, OutboxDeps } from './outbox.ts'

/**
 * POSTs JSON text (sent as `text/plain`, so no CORS preflight) to `<base>/v1/web/<type>`.
 * `keepalive` lets a call on the wire finish when the page is left; the container's cookie goes
 * with it.
 */
export function transport(base: string): Pick<OutboxDeps, 'post' | 'beacon'> {
  const url = (type: CallType): string => `${base}/v1/web/${type}`
  return {
    post: (type, body) =>
      fetch(url(type), { method: 'POST', body, credentials: 'include', keepalive: true }).then(
        async (response) => ({
          status: response.status,
          retryAfter: response.headers.get('Retry-After'),
          json: (await response.json().catch(() => null)) as unknown,
        }),
      ),
    beacon: (type, body) => {
      navigator.sendBeacon(url(type), body)
    },
  }
}
