import type { BrowserContext, Page, Request } from 'playwright-core'
import type { RunningContainer } from '../helpers/start-container.ts'
import { testCredentials } from '../helpers/start-container.ts'
import type { ParleySettings, Payload } from '../../client/src/types.ts'

/** A call the page sent to the container's browser endpoints. */
export interface SentCall {
  type: string
  body: Record<string, unknown>
}

/**
 * A test page served on the container's own origin (as a site that mounts the container would):
 * `parleySettings`, the loader from the container, then `head` and `body` as given.
 */
export async function openFixture(
  context: BrowserContext,
  container: RunningContainer,
  options: {
    path?: string
    settings?: ParleySettings
    head?: string
    body?: string
    /** Replaces the loader tag (e.g. to load the client the GTM way). */
    loader?: string
    /** `domcontentloaded` returns while the async client may still be loading. Default: `load`. */
    waitUntil?: 'load' | 'domcontentloaded'
  } = {},
): Promise<{ page: Page; calls: SentCall[] }> {
  const path = options.path ?? '/fixture'
  const html = `<!doctype html><html><head><title>Fixture</title>
<script>window.parleySettings = ${JSON.stringify(options.settings ?? {})}</script>
${options.loader ?? '<script src="/parley/loader.js"></script>'}
${options.head ?? ''}</head><body>${options.body ?? ''}</body></html>`
  await context.route(`${container.url}${path}`, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }),
  )
  const page = await context.newPage()
  const calls = recordCalls(page)
  await page.goto(`${container.url}${path}`, { waitUntil: options.waitUntil ?? 'load' })
  return { page, calls }
}

/** Collects every request to `/v1/web/*` that the page makes, in order. */
export function recordCalls(page: Page): SentCall[] {
  const calls: SentCall[] = []
  page.on('request', (request: Request) => {
    const call = asCall(request)
    if (call !== undefined) calls.push(call)
  })
  return calls
}

export function asCall(request: Request): SentCall | undefined {
  const match = /\/v1\/web\/(\w+)$/.exec(request.url())
  if (match?.[1] === undefined || request.method() !== 'POST') return undefined
  return { type: match[1], body: JSON.parse(request.postData() ?? '{}') as Record<string, unknown> }
}

/** Waits until the real client (not the stub) runs on the page. */
export async function clientReady(page: Page): Promise<void> {
  await page.waitForFunction(() => window.parley?.client?.version !== undefined)
}

/** Waits until `calls` holds `count` calls (requests, not answers). */
export async function waitForCalls(page: Page, calls: SentCall[], count: number): Promise<void> {
  for (let i = 0; i < 100 && calls.length < count; i++) await page.waitForTimeout(50)
  if (calls.length < count) {
    throw new Error(`expected ${count} calls, saw ${JSON.stringify(calls.map((c) => c.type))}`)
  }
}

/**
 * Stands in for the personalisation payload (segments and experiences) until the container
 * renders it: each real answer of the container gets `render(answer)` merged in. The ids, the
 * cookie and the profile stay the container's own.
 */
export async function addPayload(
  context: BrowserContext,
  container: RunningContainer,
  render: (answer: Payload, call: SentCall) => Pick<Payload, 'segments' | 'experiences'>,
): Promise<void> {
  await context.route(`${container.url}/v1/web/*`, async (route) => {
    const call = asCall(route.request())
    const response = await route.fetch()
    const answer = (await response.json()) as Payload
    if (call === undefined || !response.ok()) return route.fulfill({ response })
    await route.fulfill({ response, json: { ...answer, ...render(answer, call) } })
  })
}

/** The anonymous id the client keeps on the page (its localStorage copy). */
export function storedAnonymousId(page: Page): Promise<string | null> {
  return page.evaluate(() => localStorage.getItem('parley_anon'))
}

/** The stored anonymous id once the first answer of the container has set it. */
export async function settledAnonymousId(page: Page): Promise<string> {
  await page.waitForFunction(() => localStorage.getItem('parley_anon') !== null)
  return (await storedAnonymousId(page)) ?? ''
}

/** The admin lookup of a profile, through the container's HTTP API. */
export async function lookupProfile(
  container: RunningContainer,
  query: { userId: string } | { anonymousId: string },
): Promise<{
  status: number
  profile?: {
    id: string
    userId: string | null
    anonymousIds: string[]
    traits: Record<string, unknown>
    visitor: { pageViews: number; events: number }
  }
}> {
  const response = await fetch(
    `${container.url}/v1/admin/profiles/lookup?${new URLSearchParams(query).toString()}`,
    { headers: { Authorization: `Bearer ${testCredentials.adminToken}` } },
  )
  const body = (await response.json()) as { profile?: never }
  return { status: response.status, ...body }
}
