import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SqliteStore } from '../../server/src/store/sqlite/sqlite-store.ts'
import { hasChromium } from '../helpers/launch-chromium.ts'
import { seedExperiments } from '../helpers/seed-experiments.ts'
import { testCredentials } from '../helpers/start-container.ts'
import { browserSuite } from './browser-suite.ts'
import { checkPage } from './page-checks.ts'

declare global {
  interface Window {
    xss?: number
  }
}

/** Screenshots of every page, for a person to look at (gitignored). */
const shots = resolve(import.meta.dirname, '../../test-output/console')
const dataDir = mkdtempSync(join(tmpdir(), 'parley-console-'))
const hostile = '<img src=x onerror="window.xss = 1">'

const check = (page: Page, name: string) => checkPage(page, shots, name)

describe.skipIf(!hasChromium())('the console in Chromium', () => {
  const file = join(dataDir, 'parley.db')
  beforeAll(async () => {
    mkdirSync(shots, { recursive: true })
    // Two weeks of traffic, written before the container opens the file.
    const store = new SqliteStore(file)
    await seedExperiments(store, {
      now: Date.now(),
      days: 14,
      perDay: 200,
      experiences: [
        {
          id: 'enterprise-pricing',
          goal: 'Demo Requested',
          arms: [
            { variation: 'control', share: 0.1, rate: 0.08 },
            { variation: 'built-for', share: 0.9, rate: 0.16 },
          ],
        },
        {
          id: 'enterprise-home',
          goal: 'Demo Requested',
          arms: [
            { variation: 'control', share: 0.1, rate: 0.1 },
            { variation: 'named', share: 0.9, rate: 0.11 },
          ],
        },
      ],
    })
    await store.close()
  })
  const suite = browserSuite({ PARLEY_DATABASE_URL: `sqlite:${file}` })
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

  async function signedIn(): Promise<Page> {
    const page = await (await suite.newContext()).newPage()
    await page.goto(`${suite.container().url}/console/experiences`)
    await page.getByLabel('Admin token').fill(testCredentials.adminToken)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL('**/console/experiences')
    return page
  }

  it('sends a visitor without a session to sign-in, and signs in with the admin token', async () => {
    const page = await (await suite.newContext()).newPage()
    await page.goto(`${suite.container().url}/console/segments`)
    expect(new URL(page.url()).pathname).toBe('/console/sign-in')
    await check(page, 'sign-in')
    await page.getByLabel('Admin token').fill('not the token')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('not the admin token')
    await page.getByLabel('Admin token').fill(testCredentials.adminToken)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL('**/console/experiences')
    // The token never rides in a URL or the log.
    expect(page.url()).not.toContain(testCredentials.adminToken)
    expect(suite.container().output()).not.toContain(testCredentials.adminToken)
  })

  it('lists experiences with exposure, lift and a verdict with its reason', async () => {
    const page = await signedIn()
    const row = page.getByRole('row', { name: /enterprise-pricing/ })
    await expect
      .poll(() => row.textContent())
      .toMatch(/winner.*built-for converts \+\d+(\.\d)? % better/s)
    expect(await page.getByRole('row', { name: /welcome-back/ }).textContent()).toContain(
      'No holdout',
    )
    await check(page, 'experiences')
  })

  it('shows a results page with arms, health, statistics and drawn charts', async () => {
    const page = await signedIn()
    await page.getByRole('link', { name: 'enterprise-pricing', exact: true }).click()
    await page.waitForURL('**/console/experiences/enterprise-pricing')
    const text = ((await page.locator('main').textContent()) ?? '').replace(/\s+/g, ' ')
    expect(text).toMatch(/Sample ratio: ok χ² = [\d.]+, p = 0\.\d{4}/)
    expect(text).toContain('Minimum sample: ok')
    expect(text).toContain('Chance to beat control')
    // The forest plot has a dot and both intervals per variation; the daily charts a line per arm
    // with a point per day of the two seeded weeks.
    const forest = page.locator('svg[data-chart="forest"]')
    expect(await forest.locator('circle').count()).toBe(1)
    expect(await forest.locator('line.fixed').count()).toBe(1)
    expect(await forest.locator('line.sequential').count()).toBe(1)
    const exposures = page.locator('svg[data-chart="daily-exposures"] g[data-arm]')
    expect(await exposures.count()).toBe(2)
    // 14 seeded days of traffic fall on 14 or 15 UTC dates, depending on the time of the run.
    const points = await exposures.first().locator('circle').count()
    expect(points).toBeGreaterThanOrEqual(14)
    expect(points).toBeLessThanOrEqual(15)
    const box = await page.locator('svg[data-chart="cumulative-rate"]').boundingBox()
    expect(box?.width).toBeGreaterThan(300)
    await check(page, 'experience-results')
  })

  it('shows segments in words with audience sizes and overlaps', async () => {
    const page = await signedIn()
    await page.getByRole('link', { name: 'Segments', exact: true }).click()
    const enterprise = page.locator('section', {
      has: page.getByRole('heading', { name: 'enterprise', exact: true }),
    })
    await expect
      .poll(() => enterprise.textContent())
      .toMatch(/company\.employeeCount is at least 1000/)
    // 2,800 seeded profiles (60 % at Acme: 5,000 people, Software) is more than the 2,000 the
    // console reads, so the sizes are estimates with their interval.
    const text = ((await page.locator('main').textContent()) ?? '').replace(/\s+/g, ' ')
    expect(text).toContain('Estimated from a uniform sample of 2,000 of 2,800 profiles')
    const size = /Audience now: ≈ ([\d,]+) \(([\d,]+)–([\d,]+)\)/.exec(
      ((await enterprise.textContent()) ?? '').replace(/\s+/g, ' '),
    )
    const [estimate, low, high] = [size?.[1], size?.[2], size?.[3]].map((n) =>
      Number(n?.replace(/,/g, '')),
    )
    expect(low).toBeLessThanOrEqual(estimate ?? NaN)
    expect(high).toBeGreaterThanOrEqual(estimate ?? NaN)
    expect(estimate).toBeGreaterThan(2800 * 0.5)
    expect(estimate).toBeLessThan(2800 * 0.7)
    expect(await page.getByRole('table', { name: 'Profiles in both segments' }).count()).toBe(1)
    await check(page, 'segments')
  })

  it('finds a profile and shows a trait with markup as text, without running it', async () => {
    const container = suite.container()
    const write = (body: object) =>
      fetch(`${container.url}/v1/identify`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Basic ${Buffer.from(`${testCredentials.writeKey}:`).toString('base64')}`,
        },
        body: JSON.stringify(body),
      })
    await write({ anonymousId: 'device-1', traits: { viewedPricing: true } })
    await write({
      anonymousId: 'device-1',
      userId: 'mallory',
      traits: {
        name: hostile,
        email: 'mallory@acme.com',
        company: { name: 'Acme', domain: 'acme.com' },
      },
    })
    const page = await signedIn()
    await page.getByRole('link', { name: 'Profiles', exact: true }).click()
    await page.getByLabel('Search by').selectOption('email')
    await page.getByLabel('Value').fill('MALLORY@acme.com')
    await page.getByRole('button', { name: 'Search' }).click()
    await page.getByRole('table').getByRole('link').first().click()
    await page.waitForURL('**/console/profiles/*')
    const traits = page.getByRole('table', { name: 'Every trait, and when it was set' })
    expect(await traits.getByRole('row', { name: /^name/ }).textContent()).toContain(hostile)
    expect(await page.locator('main img').count()).toBe(0)
    expect(await page.evaluate(() => window.xss)).toBeUndefined()
    expect(await page.locator('ol.timeline li').count()).toBeGreaterThanOrEqual(1)
    await check(page, 'profile')
    await page.getByRole('link', { name: 'Delete…' }).click()
    await check(page, 'profile-delete')
  })

  it('previews what typed traits would see, and shows the config in force', async () => {
    const page = await signedIn()
    await page.getByRole('link', { name: 'Preview', exact: true }).click()
    await page
      .getByLabel('Company traits (JSON)')
      .fill('{"name": "Globex", "employeeCount": 2000, "industry": "Finance"}')
    await page.getByLabel('Page URL').fill('https://www.example.com/pricing')
    await page.getByRole('button', { name: 'Preview' }).click()
    await expect.poll(() => page.locator('main').textContent()).toContain('Built for Globex')
    await check(page, 'preview')
    await page.getByRole('link', { name: 'Config', exact: true }).click()
    expect(await page.locator('main').textContent()).toContain('config/parley.demo.yaml')
    await check(page, 'config')
  })

  it('signs out, after which a page is refused', async () => {
    const page = await signedIn()
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.waitForURL('**/console/sign-in')
    await page.goto(`${suite.container().url}/console/profiles`)
    expect(new URL(page.url()).pathname).toBe('/console/sign-in')
  })

  it('the demo personalises out of the box and links to the console', async () => {
    const page = await (await suite.newContext()).newPage()
    await page.goto(`${suite.container().url}/`)
    await page.waitForFunction(() => window.parley?.client?.version !== undefined)
    await page.getByRole('button', { name: 'Log in' }).click()
    await expect.poll(() => page.locator('#payload').textContent()).toContain('"enterprise"')
    const payload = JSON.parse((await page.locator('#payload').textContent()) ?? '{}') as {
      experiences: { id: string; control: boolean }[]
    }
    const home = payload.experiences.find((e) => e.id === 'enterprise-home')
    expect(home).toBeDefined()
    if (home?.control === false) {
      await expect
        .poll(() => page.locator('[data-parley-slot="hero-title"]').textContent())
        .toContain('Example Analytics')
    }
    expect(
      await page.getByRole('link', { name: 'Console', exact: true }).getAttribute('href'),
    ).toBe('/console')
    await page.screenshot({ path: join(shots, 'demo-home.png'), fullPage: true })
  })
})
