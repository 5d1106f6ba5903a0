import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../helpers/launch-chromium.ts'
import {
  startContainer,
  testCredentials,
  type RunningContainer,
} from '../helpers/start-container.ts'
import { loginPageHtml } from './gtm-page/login-page.ts'
import { chromiumMissing, clientMissing, opensslMissing } from './gtm-page/outside-parts.ts'
import { startTestSite, type TestSite } from './gtm-page/test-site.ts'

const login = {
  event: 'login',
  userId: 'u-e2e-ada',
  email: 'ada@acme-corp.example',
  company: { id: 'acme-corp', name: 'Acme Corp', domain: 'acme-corp.example', plan: 'enterprise' },
}

let container: RunningContainer | undefined
let browser: Browser | undefined
const sites: TestSite[] = []
let skipReason: string | undefined

beforeAll(async () => {
  skipReason = chromiumMissing() ?? opensslMissing()
  if (skipReason !== undefined) return
  container = await startContainer()
  skipReason = await clientMissing(container.url)
  if (skipReason !== undefined) return
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await Promise.all(sites.map((site) => site.close()))
  await container?.stop()
})

/** A fresh site (page + same-origin container) and a fresh browser context with no cookies. */
async function openSite(deniedConsent: string[] = []): Promise<{ page: Page; siteUrl: string }> {
  if (container === undefined || browser === undefined) throw new Error('suite not started')
  // The container URL the tags use is the site's own origin: the container is routed same-origin.
  const site = await startTestSite(container.url, (origin) => loginPageHtml(origin, deniedConsent))
  sites.push(site)
  // The certificate is self-signed for 127.0.0.1; a real site has a real one.
  const context = await browser.newContext({ ignoreHTTPSErrors: true })
  return { page: await context.newPage(), siteUrl: site.url }
}

interface TagResult {
  tag: string
  event: string
  outcome: string
}

async function tagResults(page: Page): Promise<TagResult[]> {
  return page.evaluate<TagResult[]>('window.__gtm.results')
}

async function lookup(query: string): Promise<{ status: number; body: Record<string, unknown> }> {
  if (container === undefined) throw new Error('suite not started')
  const answer = await fetch(`${container.url}/v1/admin/profiles/lookup?${query}`, {
    headers: { authorization: `Bearer ${testCredentials.adminToken}` },
  })
  return { status: answer.status, body: (await answer.json()) as Record<string, unknown> }
}

describe('GTM template: dataLayer login flow in a real Chromium', () => {
  it('identifies the visitor on login, merges profile and account, and personalises the page', async (ctx) => {
    if (skipReason !== undefined) return ctx.skip(skipReason)
    const { page, siteUrl } = await openSite()

    const pageView = page.waitForResponse((r) => r.url().endsWith('/v1/web/page'))
    await page.goto(siteUrl)
    const anonymous = (await (await pageView).json()) as { anonymousId: string }
    await page.waitForFunction(
      "window.__gtm.results.some((r) => r.tag === 'Parley - page view' && r.outcome === 'success')",
    )
    expect(
      await page.evaluate('document.querySelectorAll(\'script[src$="/parley/client.js"]\').length'),
    ).toBe(1)

    const identify = page.waitForResponse((r) => r.url().endsWith('/v1/web/identify'))
    await page.evaluate(`window.dataLayer.push(${JSON.stringify(login)})`)
    const identified = (await (await identify).json()) as { userId: string; anonymousId: string }
    expect(identified.userId).toBe(login.userId)
    await page.waitForFunction(
      "window.__gtm.results.some((r) => r.tag === 'Parley - identify on login' && r.outcome === 'success')",
    )
    expect((await tagResults(page)).filter((r) => r.outcome !== 'success')).toEqual([])
    expect(
      await page.evaluate('document.querySelectorAll(\'script[src$="/parley/client.js"]\').length'),
    ).toBe(1)

    const byUser = await lookup(`userId=${login.userId}`)
    expect(byUser.status).toBe(200)
    const profile = byUser.body.profile as {
      id: string
      userId: string
      anonymousIds: string[]
      traits: Record<string, unknown>
      account: { traits: Record<string, unknown> } | null
    }
    expect(profile.userId).toBe(login.userId)
    expect(profile.anonymousIds).toContain(anonymous.anonymousId)
    expect(profile.traits.email).toBe(login.email)
    expect(profile.account?.traits).toMatchObject({ name: 'Acme Corp', plan: 'enterprise' })
    const byDevice = await lookup(`anonymousId=${anonymous.anonymousId}`)
    expect((byDevice.body.profile as { id: string }).id).toBe(profile.id)

    // The client announces personalisation with a GTM-native dataLayer event (SPEC section 2);
    // the page renders it into #personalised with textContent.
    await page.waitForFunction("document.querySelector('#personalised').textContent !== ''")
    expect(await page.textContent('#personalised')).toContain('parley.personalized')
  })

  it('loads and sends nothing while personalization_storage is denied, then sends once granted', async (ctx) => {
    if (skipReason !== undefined) return ctx.skip(skipReason)
    const { page, siteUrl } = await openSite(['personalization_storage'])
    const calls: string[] = []
    page.on('request', (request) => {
      if (/\/v1\/web\/|\/parley\/client\.js/.test(request.url())) calls.push(request.url())
    })

    await page.goto(siteUrl)
    await page.evaluate(
      `window.dataLayer.push(${JSON.stringify({ ...login, userId: 'u-e2e-later' })})`,
    )
    expect((await tagResults(page)).map((r) => r.outcome)).toEqual(['success', 'success'])
    expect(
      await page.evaluate('document.querySelectorAll(\'script[src$="/parley/client.js"]\').length'),
    ).toBe(0)
    expect(calls).toEqual([])
    expect((await lookup('userId=u-e2e-later')).status).toBe(404)

    const identify = page.waitForResponse((r) => r.url().endsWith('/v1/web/identify'))
    await page.evaluate("window.__gtm.setConsent('personalization_storage', true)")
    expect(((await (await identify).json()) as { userId: string }).userId).toBe('u-e2e-later')
    expect((await lookup('userId=u-e2e-later')).status).toBe(200)
  })
})
