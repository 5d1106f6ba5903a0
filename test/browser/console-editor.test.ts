import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { consoleSession, post } from '../helpers/container-calls.ts'
import { hasChromium } from '../helpers/launch-chromium.ts'
import { parley } from '../helpers/parley-cli.ts'
import type { RunningContainer } from '../helpers/start-container.ts'
import { testCredentials } from '../helpers/start-container.ts'
import { browserSuite, type BrowserSuite } from './browser-suite.ts'
import { checkPage } from './page-checks.ts'

/** Screenshots of the editor's pages and states, for a person to look at (gitignored). */
const shots = resolve(import.meta.dirname, '../../test-output/console')
const check = (page: Page, name: string) => checkPage(page, shots, name)
const password = 'correct horse battery staple'
const defaultHeadline = 'Dashboards your whole company can read'
const hostile = '<img src=x onerror="window.xss = 1">'

/** Adds a console user the way an operator does: `parley user add` on the container's store. */
async function addUser(container: RunningContainer, name: string, role: 'editor' | 'viewer') {
  const run = await parley(
    ['user', 'add', name, '--role', role, '--password-stdin'],
    { PARLEY_DATABASE_URL: `sqlite:${join(container.dataDir, 'parley.db')}` },
    `${password}\n`,
  )
  if (run.code !== 0) throw new Error(`parley user add failed: ${run.stderr}`)
}

/** A fresh browser (its own cookies and storage) signed in as `name`, or the operator. */
async function signIn(suite: BrowserSuite, name?: string): Promise<Page> {
  const context = await suite.newContext()
  const page = await context.newPage()
  await page.goto(`${suite.container().url}/console/sign-in`)
  if (name === undefined) {
    await page.getByLabel('Admin token').fill(testCredentials.adminToken)
  } else {
    await page.getByLabel('User name').fill(name)
    await page.getByLabel('Password', { exact: true }).fill(password)
  }
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL('**/console/experiences')
  return page
}

const condition = (page: Page, label: string) =>
  page.getByRole('group', { name: `Condition ${label}`, exact: true })

/** The text of the element a control's `aria-describedby` names: what a screen reader reads. */
async function description(page: Page, label: string): Promise<string> {
  return page.getByLabel(label, { exact: true }).evaluate((element) =>
    (element.getAttribute('aria-describedby') ?? '')
      .split(' ')
      .map((id) => document.getElementById(id)?.textContent ?? '')
      .join(' '),
  )
}

/** The demo home page as a visitor who logs in with the demo form, changed by `fields`. */
async function demoVisitor(
  context: BrowserContext,
  container: RunningContainer,
  fields: Record<string, string> = {},
): Promise<Page> {
  const page = await context.newPage()
  await page.goto(`${container.url}/`)
  await page.waitForFunction(() => window.parley?.client?.version !== undefined)
  for (const [label, value] of Object.entries(fields)) await page.getByLabel(label).fill(value)
  await page.getByRole('button', { name: 'Log in' }).click()
  await expect.poll(() => page.locator('#payload').textContent()).toContain('"anonymousId"')
  return page
}

/** What `GET /console/api/config` answers, as far as these tests read it. */
type ConfigAnswer = {
  version: { number: number; note: string }
  document: {
    segments: { id: string; rule: unknown }[]
    experiences: {
      id: string
      goals?: string[]
      variations: { id: string; weight?: number; paused?: boolean }[]
    }[]
  }
}

const headline = (page: Page) => page.locator('[data-parley-slot="hero-title"]').textContent()

describe.skipIf(!hasChromium())('the console editor in Chromium', () => {
  const suite = browserSuite()
  beforeAll(async () => {
    mkdirSync(shots, { recursive: true })
    const container = suite.container()
    await addUser(container, 'alice', 'editor')
    await addUser(container, 'bob', 'editor')
    await addUser(container, 'val', 'viewer')
    // Three companies to count audiences over.
    const identify = (userId: string, traits: object) =>
      post(container, '/v1/identify', { userId, traits })
    await identify('ann', {
      company: {
        name: 'Initech',
        domain: 'initech.com',
        industry: 'Software',
        employeeCount: 5000,
      },
    })
    await identify('bo', {
      company: { name: 'Shop', domain: 'shop.com', industry: 'Retail', employeeCount: 40 },
    })
    await identify('cy', {
      plan: 'enterprise',
      company: { name: 'Fintro', domain: 'fintro.com', industry: 'Finance', employeeCount: 20 },
    })
  })

  it('builds a segment and an experience, previews and publishes them, and the demo page shows it', async () => {
    const page = await signIn(suite, 'alice')
    await page.getByRole('link', { name: 'Segments', exact: true }).click()
    await page.getByRole('link', { name: 'New segment' }).click()
    await page.waitForURL('**/console/edit/segment')
    await page.getByLabel('Segment id').fill('big-software')
    await page.getByLabel('Description (optional)').fill('Software or finance, big or on our plan')
    // Condition 1: the industry is one of two.
    await condition(page, '1').getByLabel('Comparison').selectOption({ label: 'is one of' })
    await condition(page, '1').getByLabel('Values (one per line)').fill('Software\nFinance')
    const audience = page.locator('.audience-size')
    await expect.poll(() => audience.textContent()).toContain('2 of 3 profiles')
    // A nested group: big companies, or anyone on the enterprise plan.
    await page.getByRole('button', { name: 'Add a group', exact: true }).click()
    await condition(page, '2.1').getByLabel('Attribute').selectOption('company.employeeCount')
    await condition(page, '2.1').getByLabel('Comparison').selectOption({ label: 'is at least' })
    // Only the operators a number takes are offered.
    const offered = await condition(page, '2.1')
      .getByLabel('Comparison')
      .locator('option')
      .allTextContents()
    expect(offered).toContain('is greater than')
    expect(offered).not.toContain('starts with')
    await condition(page, '2.1').getByLabel('Value', { exact: true }).fill('1000')
    await expect.poll(() => audience.textContent()).toContain('1 of 3 profiles')
    // Keyboard: the button works with Enter, and focus lands on the new condition's first field.
    await page.getByRole('button', { name: 'Add a condition to group 2' }).focus()
    await page.keyboard.press('Enter')
    await expect
      .poll(() =>
        condition(page, '2.2')
          .getByLabel('Attribute')
          .evaluate((element) => element === document.activeElement),
      )
      .toBe(true)
    await condition(page, '2.2').getByLabel('Attribute').selectOption('open:user.')
    await condition(page, '2.2').getByLabel('Name (user.…)').fill('plan')
    await condition(page, '2.2').getByLabel('Value', { exact: true }).fill('enterprise')
    await expect.poll(() => audience.textContent()).toContain('2 of 3 profiles')
    await expect
      .poll(() => page.locator('.rule').textContent())
      .toContain('company.employeeCount is at least 1000')
    await expect
      .poll(() => page.locator('.problems').textContent())
      .toContain('No problems: the loader accepts this draft.')
    expect(new URL(page.url()).search).toBe('?id=big-software')
    await check(page, 'segment-builder')

    // The experience: the new segment, the home page's headline, a template with a fallback.
    await page.getByRole('link', { name: 'Experiences', exact: true }).click()
    await page.getByRole('link', { name: 'New experience' }).click()
    await page.waitForURL('**/console/edit/experience')
    await page.getByLabel('Experience id').fill('big-software-home')
    await page.getByLabel('big-software').check()
    await page.getByLabel('Pages (one URL pattern per line)').fill('/')
    await page.getByLabel('Priority').fill('20')
    await page.getByLabel('Holdout (% of the audience kept as control)').fill('0')
    await page.getByLabel('Status').selectOption('running')
    await page.getByLabel('Variation id').fill('built-for')
    await page.getByRole('button', { name: 'Add a slot to built-for' }).click()
    await page.getByLabel('Slot name').fill('hero-title')
    await page.getByLabel('Text (template)').fill('Built for {{company.name | "teams like yours"}}')
    await expect
      .poll(() => page.locator('.problems').textContent())
      .toContain('No problems: the loader accepts this draft.')
    // Preview before publishing: a visitor of a named company, then one whose name is unknown.
    const preview = page.locator('.preview-panel')
    await preview
      .getByLabel('Company traits (JSON)')
      .fill('{"name": "Globex", "industry": "Software", "employeeCount": 2000}')
    await preview.getByRole('button', { name: 'Preview' }).click()
    await expect
      .poll(() => preview.locator('.preview-result').textContent())
      .toContain('Built for Globex')
    await check(page, 'experience-editor')
    await preview
      .getByLabel('Company traits (JSON)')
      .fill('{"industry": "Finance", "employeeCount": 2000}')
    await preview.getByRole('button', { name: 'Preview' }).click()
    await expect
      .poll(() => preview.locator('.preview-result').textContent())
      .toContain('Built for teams like yours')
    // A trait with markup is shown as text, never run.
    await preview
      .getByLabel('Company traits (JSON)')
      .fill(JSON.stringify({ name: hostile, industry: 'Software', employeeCount: 2000 }))
    await preview.getByRole('button', { name: 'Preview' }).click()
    await expect
      .poll(() => preview.locator('.preview-result').textContent())
      .toContain(`Built for ${hostile}`)
    expect(await preview.locator('.preview-result img').count()).toBe(0)
    expect(await page.evaluate(() => (window as { xss?: number }).xss)).toBeUndefined()

    // Publish with a note, seeing the diff first.
    await page.getByRole('link', { name: 'Review and publish' }).first().click()
    await page.waitForURL('**/console/publish')
    const changes = page.getByRole('region', { name: 'What changes' })
    await expect.poll(() => changes.textContent()).toContain('Segment big-software added')
    expect(await changes.textContent()).toContain('Experience big-software-home added')
    await page.getByLabel('Note (what you changed and why)').fill('Name big software buyers')
    await check(page, 'publish')
    await page.getByRole('button', { name: 'Publish', exact: true }).click()
    await expect.poll(() => page.locator('.outcome').textContent()).toContain('Published version 2')
    const api = await consoleSession(suite.container(), { name: 'alice', password })
    const config = await api.get('/console/api/config')
    expect(config.body).toMatchObject({
      version: { number: 2, author: 'alice', note: 'Name big software buyers' },
    })

    // The demo page, as a visitor who matches (the demo form's own company) and one who does not.
    const matching = await demoVisitor(await suite.newContext(), suite.container())
    await expect.poll(() => headline(matching)).toBe('Built for Example Analytics')
    const other = await demoVisitor(await suite.newContext(), suite.container(), {
      Industry: 'Retail',
      Employees: '12',
    })
    await expect.poll(() => other.locator('#payload').textContent()).toContain('"experiences"')
    expect(await headline(other)).toBe(defaultHeadline)
  }, 90_000)

  it('shows the loader’s error at the field, and never publishes a broken draft', async () => {
    const page = await signIn(suite, 'bob')
    await page.goto(`${suite.container().url}/console/edit/experience?id=enterprise-pricing`)
    const holdout = 'Holdout (% of the audience kept as control)'
    await page.getByLabel(holdout).fill('100')
    await page
      .getByRole('group', { name: 'Slot 1' })
      .getByLabel('Text (template)')
      .fill('Hi {{visitor.pageview}}')
    await expect.poll(() => description(page, holdout)).toContain('expected a share below 1')
    expect(await page.getByLabel(holdout).getAttribute('aria-invalid')).toBe('true')
    const template = page.getByRole('group', { name: 'Slot 1' }).getByLabel('Text (template)')
    await expect
      .poll(() =>
        template.evaluate(
          (element) =>
            document.getElementById(
              element.getAttribute('aria-describedby')?.split(' ').pop() ?? '',
            )?.textContent,
        ),
      )
      .toContain('unknown attribute "visitor.pageview"')
    // The problems are announced (a live region) and listed with the loader's paths.
    const problems = page.getByRole('region', { name: 'Problems' })
    expect(await problems.getByRole('status').textContent()).toContain('2 problems')
    expect(await problems.textContent()).toContain(
      'experiences[0].holdout: expected a share below 1',
    )
    await check(page, 'experience-editor-errors')

    await page.getByRole('link', { name: 'Review and publish' }).first().click()
    await expect.poll(() => page.locator('.problems').textContent()).toContain('2 problems')
    expect(await page.getByRole('button', { name: 'Publish', exact: true }).isDisabled()).toBe(true)
    // The server refuses it anyway, with the same paths.
    const refused = await page.evaluate(async () => {
      const me = (await (await fetch('/console/api/me')).json()) as { csrf: string }
      const draft = JSON.parse(localStorage.getItem('parley.console.draft.bob') ?? '{}') as object
      const response = await fetch('/console/api/publish', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrf },
        body: JSON.stringify(draft),
      })
      return {
        status: response.status,
        body: (await response.json()) as {
          error: { code: string; details: { issues: { path: string }[] } }
        },
      }
    })
    expect(refused.status).toBe(400)
    expect(refused.body.error.code).toBe('invalid_config')
    expect(refused.body.error.details.issues.map((issue) => issue.path)).toEqual([
      'experiences[0].holdout',
      'experiences[0].variations[0].content.hero-title',
    ])
  })

  it('tells the second of two editors who published in between, and overwrites nothing', async () => {
    const first = await signIn(suite, 'alice')
    const second = await signIn(suite, 'bob')
    // Both start from the same version; bob is on the publish step, ready, when alice publishes.
    await second.goto(`${suite.container().url}/console/edit/experience?id=uk-pricing`)
    await second
      .getByRole('group', { name: 'Slot 1' })
      .getByLabel('Text (template)')
      .fill('Prices in pounds.')
    await second.getByRole('link', { name: 'Review and publish' }).first().click()
    const publishSecond = second.getByRole('button', { name: 'Publish', exact: true })
    await expect.poll(() => publishSecond.isEnabled()).toBe(true)
    await first.goto(`${suite.container().url}/console/edit/experience?id=welcome-back`)
    await first.getByLabel('Priority').fill('7')
    await first.getByRole('link', { name: 'Review and publish' }).first().click()
    await first.getByLabel('Note (what you changed and why)').fill('Welcome back earlier')
    const publishFirst = first.getByRole('button', { name: 'Publish', exact: true })
    await expect.poll(() => publishFirst.isEnabled()).toBe(true)
    await publishFirst.click()
    await expect
      .poll(() => first.locator('.outcome').textContent())
      .toMatch(/Published version \d+/)
    const published = Number(
      /Published version (\d+)/.exec((await first.locator('.outcome').textContent()) ?? '')?.[1],
    )

    await publishSecond.click()
    const alert = second.getByRole('alert')
    await expect.poll(() => alert.textContent()).toContain('Not published')
    expect(await alert.textContent()).toContain(
      `alice published version ${published}: “Welcome back earlier”`,
    )
    await check(second, 'publish-conflict')
    // Nothing was overwritten: alice's version is in force, bob's change is only in his draft.
    const api = await consoleSession(suite.container(), { name: 'bob', password })
    const inForce = (await api.get('/console/api/config')).body as {
      version: { number: number }
      document: {
        experiences: {
          id: string
          priority: number
          variations: { content: Record<string, string> }[]
        }[]
      }
    }
    const byId = (id: string) => inForce.document.experiences.find((e) => e.id === id)
    expect(inForce.version.number).toBe(published)
    expect(byId('welcome-back')?.priority).toBe(7)
    expect(byId('uk-pricing')?.variations[0]?.content['pricing-banner']).not.toBe(
      'Prices in pounds.',
    )

    // Bob carries his change onto alice's version: the diff is his change alone.
    await alert.getByRole('button', { name: `Put my changes on version ${published}` }).click()
    await expect
      .poll(() => second.locator('.outcome').textContent())
      .toContain(`Your changes are now on version ${published}`)
    const changes = second.getByRole('region', { name: 'What changes' })
    await expect.poll(() => changes.textContent()).toContain('Experience uk-pricing changed')
    expect(await changes.textContent()).not.toContain('welcome-back')
    await expect.poll(() => publishSecond.isEnabled()).toBe(true)
    await publishSecond.click()
    await expect
      .poll(() => second.locator('.outcome').textContent())
      .toContain(`Published version ${published + 1}`)
    const after = (await api.get('/console/api/config')).body as typeof inForce
    const now = (id: string) => after.document.experiences.find((e) => e.id === id)
    expect(now('welcome-back')?.priority).toBe(7)
    expect(now('uk-pricing')?.variations[0]?.content['pricing-banner']).toBe('Prices in pounds.')
  })

  it('rolls back from the history page, and the demo serves the earlier content again', async () => {
    const api = await consoleSession(suite.container(), { name: 'alice', password })
    /** Publishes the probe experience on /pricing with `text`, and maybe a second variation. */
    const publishBanner = async (text: string, extra = false) => {
      const current = (await api.get('/console/api/config')).body as {
        version: { number: number }
        document: { experiences: object[] }
      }
      const probe = {
        id: 'banner-probe',
        pages: ['/pricing*'],
        priority: 50,
        variations: [
          { id: 'probe', content: { 'pricing-banner': text } },
          ...(extra ? [{ id: 'extra', weight: 0, content: { 'pricing-banner': 'Extra' } }] : []),
        ],
      }
      const experiences = current.document.experiences.filter(
        (e) => (e as { id: string }).id !== 'banner-probe',
      )
      const answer = await api.post('/console/api/publish', {
        document: { ...current.document, experiences: [...experiences, probe] },
        baseVersion: current.version.number,
        note: `Banner ${text}`,
      })
      expect(answer.status).toBe(200)
      return (answer.body as { version: { number: number } }).version.number
    }
    const earlier = await publishBanner('Probe A')
    const later = await publishBanner('Probe B', true)
    const banner = async () => {
      const visitor = await (await suite.newContext()).newPage()
      await visitor.goto(`${suite.container().url}/pricing`)
      await expect
        .poll(() => visitor.locator('[data-parley-slot="pricing-banner"]').textContent())
        .toMatch(/Probe/)
      return visitor.locator('[data-parley-slot="pricing-banner"]').textContent()
    }
    expect(await banner()).toBe('Probe B')

    const page = await signIn(suite, 'alice')
    await page.getByRole('link', { name: 'Versions', exact: true }).click()
    await check(page, 'versions')
    await page.getByRole('button', { name: `Roll back to version ${earlier}` }).click()
    // The earlier version lacks a variation: the console says who moves and asks again.
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('moves visitors who already saw a variation')
    expect(await page.locator('main').textContent()).toContain('extra')
    await check(page, 'rollback-confirm')
    await page.getByRole('button', { name: `Roll back to version ${earlier} anyway` }).click()
    await page.waitForURL('**/console/versions?rolledBack=*')
    expect(await page.getByRole('status').textContent()).toContain(
      `Version ${later + 1} restores version ${earlier}`,
    )
    expect(await banner()).toBe('Probe A')
    await page.getByRole('link', { name: String(later + 1), exact: true }).click()
    await check(page, 'version')
    await page.getByRole('link', { name: 'Audit log', exact: true }).click()
    const log = (await page.locator('main').textContent()) ?? ''
    expect(log.replace(/\s+/g, ' ')).toContain(
      `alice rolled back version ${later} → version ${later + 1}`,
    )
    await check(page, 'audit')
  })

  it('concludes an experience with its winner, saying first what that does to visitors', async () => {
    const page = await signIn(suite, 'alice')
    await page.goto(`${suite.container().url}/console/edit/experience?id=enterprise-home`)
    await page.getByLabel('Status').selectOption('concluded')
    // Concluding asks for the winner; without one the loader says so at the field.
    await expect.poll(() => description(page, 'Winner')).toContain('needs a winner')
    await page.getByLabel('Winner').selectOption('named')
    const impacts = page.getByRole('region', { name: 'What your change does to visitors' })
    await expect
      .poll(() => impacts.textContent())
      .toContain("Everyone in enterprise-home's audience will see the variation named")
    await page.getByRole('link', { name: 'Review and publish' }).first().click()
    const publish = page.getByRole('button', { name: 'Publish', exact: true })
    await expect.poll(() => publish.isEnabled()).toBe(true)
    await publish.click()
    await expect.poll(() => page.locator('.outcome').textContent()).toContain('Published version')
    await page.getByRole('link', { name: 'Experiences', exact: true }).click()
    const row = page.getByRole('row', { name: /enterprise-home/ })
    expect((await row.textContent())?.replace(/\s+/g, ' ')).toContain('concluded winner: named')
  })

  it('offers a viewer nothing to change, and the editor read-only', async () => {
    const page = await signIn(suite, 'val')
    expect(await page.getByRole('link', { name: 'New experience' }).count()).toBe(0)
    expect(await page.getByRole('link', { name: /^Edit / }).count()).toBe(0)
    expect(await page.getByRole('link', { name: 'Publish', exact: true }).count()).toBe(0)
    await page.getByRole('link', { name: 'View enterprise-pricing in the editor' }).click()
    await page.waitForURL('**/console/edit/experience?id=enterprise-pricing')
    expect(await page.locator('#read-only').textContent()).toContain(
      'Read-only: you are signed in as val, a viewer.',
    )
    await expect
      .poll(() => page.getByLabel('Experience id').inputValue())
      .toBe('enterprise-pricing')
    const form = page.locator('form.editor')
    expect(await form.getByRole('button').count()).toBe(0)
    const editable = await form.locator('input:enabled, select:enabled, textarea:enabled').count()
    expect(editable).toBe(0)
    expect(await page.getByRole('link', { name: 'Review and publish' }).count()).toBe(0)
    expect(await page.getByRole('button', { name: /Delete|Discard/ }).count()).toBe(0)
    // Looking is allowed: the preview works for a viewer.
    await page.locator('.preview-panel').getByRole('button', { name: 'Preview' }).click()
    await expect.poll(() => page.locator('.preview-result').textContent()).toContain('Segments')
    await check(page, 'editor-read-only')
    await page.getByRole('link', { name: 'Versions', exact: true }).click()
    expect(await page.getByRole('button', { name: /Roll back/ }).count()).toBe(0)
  })

  it('publishes the weight, goals and paused variation set in the experience editor', async () => {
    const api = await consoleSession(suite.container(), { name: 'alice', password })
    // Two even arms on a page of their own, so what is served is this experience's alone.
    const current = (await api.get('/console/api/config')).body as ConfigAnswer
    const seeded = await api.post('/console/api/publish', {
      document: {
        ...current.document,
        experiences: [
          ...current.document.experiences,
          {
            id: 'weights-probe',
            pages: ['/weights-probe*'],
            holdout: 0,
            goals: ['Signed Up'],
            variations: [
              { id: 'kept', weight: 1, content: { 'probe-slot': 'Kept' } },
              { id: 'resting', weight: 1, content: { 'probe-slot': 'Resting' } },
            ],
          },
        ],
      },
      baseVersion: current.version.number,
      note: 'Weights probe',
    })
    expect(seeded.status, JSON.stringify(seeded.body)).toBe(200)

    const page = await signIn(suite, 'alice')
    await page.goto(`${suite.container().url}/console/edit/experience?id=weights-probe`)
    await expect.poll(() => page.getByLabel('Experience id').inputValue()).toBe('weights-probe')
    const variation = (id: string) =>
      page.getByRole('group', { name: `Variation ${id}`, exact: true })
    const share = (id: string) => variation(id).locator('.share').textContent()
    await variation('kept').getByLabel('Weight', { exact: true }).fill('3')
    await expect.poll(() => share('kept')).toBe('New visitors who get it: 75 %')
    expect(await share('resting')).toBe('New visitors who get it: 25 %')
    await page
      .getByLabel('Goals (track event names, one per line)')
      .fill('Demo Requested\nTrial Started')
    await variation('resting')
      .getByLabel(/^Paused:/)
      .check()
    // A paused arm takes no new visitors: the rest of the split goes to the other.
    await expect.poll(() => share('resting')).toBe('New visitors who get it: 0 %')
    expect(await share('kept')).toBe('New visitors who get it: 100 %')
    await expect
      .poll(() => page.locator('.problems').textContent())
      .toContain('No problems: the loader accepts this draft.')
    const impacts = page.getByRole('region', { name: 'What your change does to visitors' })
    await expect
      .poll(() => impacts.textContent())
      .toContain('Visitors bucketed in resting keep that bucket')
    await check(page, 'experience-variations')

    await page.getByRole('link', { name: 'Review and publish' }).first().click()
    await page.waitForURL('**/console/publish')
    const changes = page.getByRole('region', { name: 'What changes' })
    await expect
      .poll(() => changes.textContent())
      .toContain('Experience weights-probe changed: goals, variations')
    expect(await changes.textContent()).toContain('Variation kept changed: weight')
    expect(await changes.textContent()).toContain('Variation resting changed: paused')
    await page.getByLabel('Note (what you changed and why)').fill('Favour kept, rest resting')
    const publish = page.getByRole('button', { name: 'Publish', exact: true })
    await expect.poll(() => publish.isEnabled()).toBe(true)
    await publish.click()
    await expect.poll(() => page.locator('.outcome').textContent()).toContain('Published version')

    const published = (await api.get('/console/api/config')).body as ConfigAnswer
    expect(published.version.note).toBe('Favour kept, rest resting')
    const probe = published.document.experiences.find((e) => e.id === 'weights-probe')
    expect(probe?.goals).toEqual(['Demo Requested', 'Trial Started'])
    expect(probe?.variations.map(({ id, weight, paused }) => ({ id, weight, paused }))).toEqual([
      { id: 'kept', weight: 3, paused: false },
      { id: 'resting', weight: 1, paused: true },
    ])
    // Served: no new visitor lands in the paused arm.
    for (let n = 0; n < 12; n++) {
      const served = await post(suite.container(), '/v1/personalize', {
        anonymousId: `weights-probe-${n}`,
        page: { path: '/weights-probe' },
      })
      expect(served.body.experiences).toEqual([
        {
          id: 'weights-probe',
          variation: 'kept',
          control: false,
          content: { 'probe-slot': 'Kept' },
        },
      ])
    }
  })

  it('publishes a negated condition under a group switched from all to any in the segment builder', async () => {
    const api = await consoleSession(suite.container(), { name: 'alice', password })
    // More companies outside software and finance than in it, big and small, so that every
    // rule below counts another audience, whichever tests ran before.
    for (const [userId, industry, employeeCount] of [
      ['dee', 'Retail', 3000],
      ['eve', 'Travel', 10],
      ['fay', 'Retail', 15],
    ] as const) {
      const company = { name: userId, domain: `${userId}.com`, industry, employeeCount }
      expect(
        (await post(suite.container(), '/v1/identify', { userId, traits: { company } })).status,
      ).toBe(200)
    }
    const inFinance = {
      attribute: 'company.industry',
      operator: 'in',
      value: ['Software', 'Finance'],
    }
    const big = { attribute: 'company.employeeCount', operator: 'gte', value: 1000 }
    const wanted = { any: [{ not: inFinance }, big] }
    /** The audience the page should show for `rule`, as the console API counts it. */
    const shown = async (rule: object) => {
      const answer = (await api.post('/console/api/audience', { rule })).body
      return `${String(answer.estimate)} of ${String(answer.total)} profiles`
    }
    // Each handler broken would leave one of these rules, and so another audience.
    const expected = await shown(wanted)
    const broken = [
      await shown({ any: [inFinance, big] }),
      await shown({ all: [{ not: inFinance }, big] }),
      await shown({ all: [inFinance, big] }),
    ]
    expect(broken, 'the profiles tell the rules apart').not.toContain(expected)

    const page = await signIn(suite, 'alice')
    await page.getByRole('link', { name: 'Segments', exact: true }).click()
    await page.getByRole('link', { name: 'New segment' }).click()
    await page.waitForURL('**/console/edit/segment')
    await page.getByLabel('Segment id').fill('outside-or-big')
    const audience = page.locator('.audience-size')
    await condition(page, '1').getByLabel('Comparison').selectOption({ label: 'is one of' })
    await condition(page, '1').getByLabel('Values (one per line)').fill('Software\nFinance')
    await page.getByRole('button', { name: 'Negate rule 1', exact: true }).click()
    await expect
      .poll(() => page.locator('.not-label').allTextContents())
      .toEqual(['Not: rule 1 must not match'])
    expect(
      await page.getByRole('button', { name: 'Remove the not of rule 1', exact: true }).count(),
    ).toBe(1)
    await page.getByRole('button', { name: 'Add a condition', exact: true }).click()
    await condition(page, '2').getByLabel('Attribute').selectOption('company.employeeCount')
    await condition(page, '2').getByLabel('Comparison').selectOption({ label: 'is at least' })
    await condition(page, '2').getByLabel('Value', { exact: true }).fill('1000')
    await expect.poll(() => audience.textContent()).toBe(broken[1])
    await page.getByLabel('A visitor is in it when they match').selectOption('any')
    await expect.poll(() => audience.textContent()).toBe(expected)
    // The rule in words, one line per node: the not wraps the industry, the group is any.
    expect((await page.locator('.rule').innerText()).split('\n')).toEqual([
      'any of these',
      'not this',
      'company.industry is one of "Software", "Finance"',
      'company.employeeCount is at least 1000',
    ])
    await expect
      .poll(() => page.locator('.problems').textContent())
      .toContain('No problems: the loader accepts this draft.')
    await check(page, 'segment-not-any')

    await page.getByRole('link', { name: 'Review and publish' }).first().click()
    await page.waitForURL('**/console/publish')
    await expect
      .poll(() => page.getByRole('region', { name: 'What changes' }).textContent())
      .toContain('Segment outside-or-big added')
    const publish = page.getByRole('button', { name: 'Publish', exact: true })
    await expect.poll(() => publish.isEnabled()).toBe(true)
    await publish.click()
    await expect.poll(() => page.locator('.outcome').textContent()).toContain('Published version')
    const published = (await api.get('/console/api/config')).body as ConfigAnswer
    const segment = published.document.segments.find((s) => s.id === 'outside-or-big')
    expect(segment?.rule).toEqual(wanted)
  })
})

describe.skipIf(!hasChromium())('the console editor pinned to a file, in Chromium', () => {
  const suite = browserSuite({ PARLEY_CONFIG_SOURCE: 'file' })

  it('shows the config read-only and says why', async () => {
    const page = await signIn(suite)
    await page.goto(`${suite.container().url}/console/edit/segment?id=enterprise`)
    expect(await page.locator('#read-only').textContent()).toContain(
      'Read-only: PARLEY_CONFIG_SOURCE=file pins the config to',
    )
    await expect.poll(() => page.getByLabel('Segment id').inputValue()).toBe('enterprise')
    await expect.poll(() => page.locator('.audience-size').textContent()).toContain('profiles')
    expect(await page.getByRole('region', { name: 'Problems' }).isHidden()).toBe(true)
    const form = page.locator('form.editor')
    expect(await form.getByRole('button').count()).toBe(0)
    expect(await form.locator('input:enabled, select:enabled, textarea:enabled').count()).toBe(0)
    await check(page, 'editor-pinned')
    await page.goto(`${suite.container().url}/console/segments`)
    expect(await page.getByRole('link', { name: 'New segment' }).count()).toBe(0)
  })
})
