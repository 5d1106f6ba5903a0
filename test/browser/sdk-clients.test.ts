import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, describe, expect, it } from 'vitest'
import { hasChromium } from '../helpers/launch-chromium.ts'
import { expectJourneyLanded, journeyFor, type SdkJourney } from '../helpers/sdk-journey.ts'
import { testCredentials } from '../helpers/start-container.ts'
import { browserSuite } from './browser-suite.ts'

const root = join(import.meta.dirname, '../..')
const browserKey = 'test-browser-key'
/** The SDK builds, read from node_modules and served on the site's origin (no CDN). */
const analyticsNextDir = join(root, 'node_modules/@segment/analytics-next/dist/umd')
const rudderUmd = join(
  root,
  'node_modules/@rudderstack/analytics-js/dist/npm/modern/bundled/umd/index.js',
)

/** One answer of the container. */
interface Answer {
  method: string
  path: string
  status: number
  body: string
}

/** What a page saw of its SDK's traffic. */
interface Traffic {
  /** Requests that left for anywhere but the site and the container (a CDN, a control plane). */
  outside: string[]
  /** Answers of the container to XHRs, as Playwright saw them. */
  xhrAnswers: Answer[]
  /** Every answer of the container: the XHR answers and those the page's fetches got. */
  answers: Answer[]
  /** Beacons sent to the container (their answers are not seen). */
  beacons: string[]
  /** Console errors and warnings, uncaught errors and failed requests. */
  problems: string[]
}

/**
 * The site: a local static server with one page and the SDK files, on an origin of its own, so
 * every SDK call to the container is cross-origin (and both are on the loopback address, which
 * Chromium's local-network checks require of a page calling 127.0.0.1).
 */
async function startSite(): Promise<{
  origin: string
  serve: (html: string) => void
  close: () => Promise<void>
}> {
  let html = ''
  const files: Record<string, string> = {
    '/ajs/index.js': join(analyticsNextDir, 'index.js'),
    '/rudder/index.js': rudderUmd,
  }
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://site').pathname
    const file = files[path]
    if (path === '/pricing') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html)
    } else if (file !== undefined) {
      res
        .writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' })
        .end(readFileSync(file))
    } else {
      res.writeHead(404).end('not found')
    }
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://localhost:${port}`,
    serve: (page) => {
      html = page
    },
    close: () => new Promise((done) => server.close(() => done())),
  }
}

const site = await startSite()
afterAll(() => site.close())

async function openSite(
  context: BrowserContext,
  containerUrl: string,
  html: string,
): Promise<{ page: Page; traffic: Traffic }> {
  const traffic: Traffic = { outside: [], xhrAnswers: [], answers: [], beacons: [], problems: [] }
  site.serve(html)
  await context.route('**/*', (route) => {
    const url = route.request().url()
    if (url.startsWith(containerUrl) || url.startsWith(site.origin)) return route.continue()
    traffic.outside.push(url)
    return route.abort()
  })
  // Playwright reports no answer to a keepalive fetch (analytics.js sends those), so the page
  // records what its fetches got, as the SDK itself sees it.
  await context.addInitScript((containerUrl: string) => {
    const answers: Answer[] = []
    Object.assign(window, { fetchedAnswers: answers })
    const original = window.fetch.bind(window)
    window.fetch = async (input, init) => {
      const response = await original(input, init)
      const url = input instanceof Request ? input.url : String(input)
      if (url.startsWith(containerUrl)) {
        const body = await response.clone().text()
        answers.push({
          method: init?.method?.toUpperCase() ?? 'GET',
          path: new URL(url).pathname,
          status: response.status,
          body,
        })
      }
      return response
    }
  }, containerUrl)
  const page = await context.newPage()
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      traffic.problems.push(`console.${message.type()}: ${message.text()}`)
  })
  page.on('request', (request) => {
    if (request.resourceType() === 'ping' && request.url().startsWith(containerUrl))
      traffic.beacons.push(request.url())
  })
  page.on('pageerror', (error) => traffic.problems.push(`pageerror: ${error.message}`))
  page.on('requestfailed', (request) =>
    traffic.problems.push(`failed: ${request.url()} ${request.failure()?.errorText ?? ''}`),
  )
  page.on('response', (response) => {
    const url = response.url()
    if (!url.startsWith(containerUrl) || response.request().resourceType() === 'fetch') return
    const method = response.request().method()
    void response
      .text()
      .catch(() => '')
      .then((body) =>
        traffic.xhrAnswers.push({
          method,
          path: new URL(url).pathname,
          status: response.status(),
          body,
        }),
      )
  })
  await page.goto(`${site.origin}/pricing`)
  return { page, traffic }
}

/** Waits until the container has answered `count` POSTs (XHR answers, and fetch answers). */
async function waitForPosts(page: Page, traffic: Traffic, count: number): Promise<void> {
  const collect = async () => {
    const fetched = await page.evaluate(
      () => (window as unknown as { fetchedAnswers: Answer[] }).fetchedAnswers,
    )
    traffic.answers = [...traffic.xhrAnswers, ...fetched]
  }
  const posts = () => traffic.answers.filter((answer) => answer.method === 'POST')
  for (let i = 0; i < 200 && posts().length < count; i++) {
    await page.waitForTimeout(50)
    await collect()
  }
  // A little longer, so a retry or a stray call would be seen too.
  await page.waitForTimeout(500)
  await collect()
  expect(posts(), JSON.stringify(traffic, null, 1).slice(0, 3000)).toHaveLength(count)
}

describe.skipIf(!hasChromium())('browser SDKs pointed at a running container', () => {
  const suite = browserSuite({
    PARLEY_BROWSER_WRITE_KEYS: browserKey,
    PARLEY_ALLOWED_ORIGINS: site.origin,
  })

  /** Opens the site's pricing page with the SDK build at `script`. */
  async function openSdkPage(script: string) {
    const container = suite.container()
    const html = `<!doctype html><html><head><title>Pricing</title>
<script src="${script}"></script></head><body><h1>Pricing</h1></body></html>`
    return { container, ...(await openSite(await suite.newContext(), container.url, html)) }
  }

  /** Plays the journey through analytics.js with `delivery` as its Segment.io delivery strategy. */
  async function playAnalyticsJs(journey: SdkJourney, delivery: Record<string, unknown>) {
    const { container, page, traffic } = await openSdkPage('/ajs/index.js')
    const anonymousId = await page.evaluate(
      async ({ journey, apiHost, writeKey, delivery }) => {
        const { AnalyticsBrowser } = (window as unknown as { AnalyticsNext: AnalyticsNextGlobal })
          .AnalyticsNext
        const [analytics] = await AnalyticsBrowser.load({
          writeKey,
          cdnSettings: {
            integrations: {
              'Segment.io': { apiKey: writeKey, apiHost, protocol: 'http', ...delivery },
            },
          },
        })
        // Each call in turn; a batch is only sent once it is full, so its calls are not awaited.
        const calls = [
          () => analytics.page('Pricing', { path: '/pricing' }),
          () => analytics.identify({ viewedPricing: true }),
          () => analytics.identify(journey.userId, { email: journey.email, name: journey.name }),
          () => analytics.track(journey.event, { plan: 'pro' }),
          () => analytics.group(journey.groupId, journey.company),
        ]
        if (delivery.deliveryStrategy === undefined) for (const call of calls) await call()
        else await Promise.all(calls.map((call) => call()))
        return analytics.user().anonymousId()
      },
      { journey, apiHost: `${new URL(container.url).host}/v1`, writeKey: browserKey, delivery },
    )
    return { container, page, traffic, anonymousId }
  }

  it('analytics.js (its UMD build, settings inline) lands the whole journey in one profile and account', async () => {
    const journey = journeyFor('analytics-next')
    const { container, page, traffic, anonymousId } = await playAnalyticsJs(journey, {})
    await waitForPosts(page, traffic, 5)
    expect(
      traffic.answers.filter((a) => a.method === 'POST').map((a) => [a.path, a.status]),
    ).toEqual(
      expect.arrayContaining([
        ['/v1/p', 200],
        ['/v1/i', 200],
        ['/v1/t', 200],
        ['/v1/g', 200],
      ]),
    )
    expect(traffic.answers.every((answer) => answer.status === 200)).toBe(true)
    expect(traffic.outside).toEqual([])
    expect(traffic.problems).toEqual([])
    await expectLanded(container, journey, anonymousId, traffic)
  })

  it('analytics.js in batching mode lands the journey through /v1/b', async () => {
    const journey = journeyFor('analytics-next-batch')
    const { container, page, traffic, anonymousId } = await playAnalyticsJs(journey, {
      deliveryStrategy: { strategy: 'batching', config: { size: 5, timeout: 500 } },
    })
    await waitForPosts(page, traffic, 1)
    expect(traffic.answers.map((a) => [a.method, a.path, a.status])).toEqual([
      ['POST', '/v1/b', 200],
    ])
    expect(JSON.parse(traffic.answers[0]?.body ?? '{}')).toEqual({ success: true })
    expect(traffic.outside).toEqual([])
    expect(traffic.problems).toEqual([])
    expect(typeof anonymousId).toBe('string')
    await expectJourneyLanded(container, journey, anonymousId as string)
  })

  /** Plays the journey through RudderStack's browser SDK loaded with `options` on top. */
  async function playRudderJs(journey: SdkJourney, options: Record<string, unknown>) {
    const { container, page, traffic } = await openSdkPage('/rudder/index.js')
    const anonymousId = await page.evaluate(
      async ({ journey, dataPlaneUrl, writeKey, options }) => {
        const { RudderAnalytics } = (window as unknown as { rudderanalytics: RudderGlobal })
          .rudderanalytics
        const analytics = new RudderAnalytics()
        await new Promise<void>((done) => {
          analytics.load(writeKey, dataPlaneUrl, {
            // No control plane: the source config is given here, with no destinations.
            getSourceConfig: () => ({
              source: {
                id: 'parley-site',
                name: 'Parley site',
                workspaceId: 'parley',
                enabled: true,
                config: {},
                destinations: [],
              },
            }),
            onLoaded: () => done(),
            ...options,
          })
        })
        const sent = (call: (done: () => void) => void) =>
          new Promise<void>((done) => {
            call(done)
          })
        await sent((done) => analytics.page('Pricing', { path: '/pricing' }, done))
        await sent((done) => analytics.identify({ viewedPricing: true }, done))
        await sent((done) =>
          analytics.identify(journey.userId, { email: journey.email, name: journey.name }, done),
        )
        await sent((done) => analytics.track(journey.event, { plan: 'pro' }, done))
        await sent((done) => analytics.group(journey.groupId, journey.company, done))
        return analytics.getAnonymousId()
      },
      { journey, dataPlaneUrl: container.url, writeKey: browserKey, options },
    )
    return { container, page, traffic, anonymousId }
  }

  it('RudderStack’s browser SDK (bundled build, source config inline) lands the whole journey in one profile and account', async () => {
    const journey = journeyFor('rudder-js')
    const { container, page, traffic, anonymousId } = await playRudderJs(journey, {})
    await waitForPosts(page, traffic, 5)
    const posts = traffic.answers.filter((answer) => answer.method === 'POST')
    expect(posts.map((answer) => [answer.path, answer.status])).toEqual(
      expect.arrayContaining([
        ['/v1/page', 200],
        ['/v1/identify', 200],
        ['/v1/track', 200],
        ['/v1/group', 200],
      ]),
    )
    expect(traffic.answers.every((answer) => answer.status < 300)).toBe(true)
    expect(traffic.outside).toEqual([])
    expect(traffic.problems).toEqual([])
    await expectLanded(container, journey, anonymousId, traffic)
  })

  it('RudderStack’s browser SDK with useBeacon lands the journey through /beacon/v1/batch', async () => {
    const journey = journeyFor('rudder-js-beacon')
    const { container, page, traffic, anonymousId } = await playRudderJs(journey, {
      useBeacon: true,
      beaconQueueOptions: { flushQueueInterval: 200 },
    })
    // A beacon's answer reaches no one: wait for the journey to land instead.
    const landed = async () => {
      const response = await fetch(
        `${container.url}/v1/admin/profiles/lookup?userId=${journey.userId}`,
        { headers: { authorization: `Bearer ${testCredentials.adminToken}` } },
      )
      const body = (await response.json()) as { profile?: { account: unknown } }
      return response.status === 200 && body.profile?.account !== null
    }
    for (let i = 0; i < 100 && !(await landed()); i++) await page.waitForTimeout(50)
    expect(traffic.beacons.length).toBeGreaterThan(0)
    expect(
      traffic.beacons.every((url) => url.startsWith(`${container.url}/beacon/v1/batch?writeKey=`)),
    ).toBe(true)
    expect(traffic.outside).toEqual([])
    expect(traffic.problems).toEqual([])
    expect(typeof anonymousId).toBe('string')
    await expectJourneyLanded(container, journey, anonymousId as string)
  })
})

async function expectLanded(
  container: { url: string } & Parameters<typeof expectJourneyLanded>[0],
  journey: SdkJourney,
  anonymousId: unknown,
  traffic: Traffic,
): Promise<void> {
  expect(typeof anonymousId).toBe('string')
  await expectJourneyLanded(container, journey, anonymousId as string)
  // Browser traffic: the identify answer carries the personalisation payload.
  const identify = traffic.answers.find(
    (answer) =>
      answer.method === 'POST' &&
      /\/v1\/(i|identify)$/.test(answer.path) &&
      answer.body.includes(journey.userId),
  )
  expect(JSON.parse(identify?.body ?? '{}')).toMatchObject({
    success: true,
    userId: journey.userId,
    segments: expect.any(Array),
    experiences: expect.any(Array),
  })
}

/** The parts of the SDKs' globals the pages use. */
interface AnalyticsNextGlobal {
  AnalyticsBrowser: {
    load: (settings: Record<string, unknown>) => Promise<[AnalyticsNext]>
  }
}
interface AnalyticsNext {
  page: (name: string, properties: Record<string, unknown>) => Promise<unknown>
  identify: (...args: unknown[]) => Promise<unknown>
  track: (event: string, properties: Record<string, unknown>) => Promise<unknown>
  group: (groupId: string, traits: Record<string, unknown>) => Promise<unknown>
  user: () => { anonymousId: () => string | null }
}
interface RudderGlobal {
  RudderAnalytics: new () => RudderAnalyticsInstance
}
interface RudderAnalyticsInstance {
  load: (writeKey: string, dataPlaneUrl: string, options: Record<string, unknown>) => void
  page: (name: string, properties: Record<string, unknown>, done: () => void) => void
  identify: (...args: unknown[]) => void
  track: (event: string, properties: Record<string, unknown>, done: () => void) => void
  group: (groupId: string, traits: Record<string, unknown>, done: () => void) => void
  getAnonymousId: () => string | undefined
}
