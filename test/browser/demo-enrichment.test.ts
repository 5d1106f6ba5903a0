import { createRequire } from 'node:module'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { hasChromium } from '../helpers/launch-chromium.ts'
import { browserSuite } from './browser-suite.ts'

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js')
const screenshots = join(import.meta.dirname, '../../data/screenshots')

/** axe-core's violations on the page as it is now (ids and the elements they name). */
async function accessibilityViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: axePath })
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run: (context: Document, options: object) => Promise<AxeResults> }
      }
    ).axe
    // The WCAG 2.1 A and AA rules: what a visitor relying on assistive technology needs.
    const results = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    })
    return results.violations.map(
      (violation) =>
        `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
    )
  })
}
interface AxeResults {
  violations: { id: string; nodes: { target: string[] }[] }[]
}

async function slotText(page: Page, slot: string, expected: string): Promise<string> {
  const locator = page.locator(`[data-parley-slot="${slot}"]`)
  await expect.poll(() => locator.textContent(), { timeout: 10_000 }).toBe(expected)
  return (await locator.textContent()) ?? ''
}

describe.skipIf(!hasChromium())('the demo site, personalised from the request address', () => {
  // npm start's settings: development, the demo config, so enrichment is on with the demo's
  // ranges file and the local address looked up as a UK one.
  const suite = browserSuite({ NODE_ENV: 'development' })

  it('names the demo company on the home page and shows UK prices on the pricing page', async () => {
    const context = await suite.newContext()
    const page = await context.newPage()
    await page.goto(`${suite.container().url}/`)
    await slotText(page, 'hero-title', 'Dashboards the whole Northwind Traders team can read')
    await slotText(page, 'hero-subline', 'Built for Software teams of 2500.')
    expect(await accessibilityViolations(page)).toEqual([])
    mkdirSync(screenshots, { recursive: true })
    await page.screenshot({ path: join(screenshots, 'demo-home-enriched.png') })

    await page.goto(`${suite.container().url}/pricing`)
    await slotText(
      page,
      'pricing-banner',
      'Start free for 14 days. Visiting from GB? We invoice in pounds sterling, with UK VAT.',
    )
    expect(await accessibilityViolations(page)).toEqual([])
    await page.screenshot({ path: join(screenshots, 'demo-pricing-enriched.png') })
  })
})
