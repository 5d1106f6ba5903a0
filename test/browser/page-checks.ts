import { createRequire } from 'node:module'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { expect } from 'vitest'

declare global {
  interface Window {
    axe?: {
      run: (
        context: Document,
        options: object,
      ) => Promise<{ violations: Violation[]; passes: unknown[] }>
    }
  }
}
interface Violation {
  id: string
  impact: string | null
  help: string
  nodes: { target: string[] }[]
}

const axeSource = (createRequire(import.meta.url)('axe-core') as { source: string }).source

/**
 * axe-core, injected through the DevTools protocol (page.evaluate), which the console's CSP
 * does not block, then run against WCAG 2 A/AA rules and best practices: the serious and
 * critical violations, as lines to read.
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource)
  const result = await page.evaluate(() =>
    window.axe?.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice'] }),
  )
  // A missing axe (blocked injection) must fail, not pass with no violations.
  if (result === undefined || result.passes.length === 0) throw new Error('axe-core did not run')
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    )
}

/** Saves a full-page screenshot as `<dir>/<name>.png`, then expects no serious axe violation. */
export async function checkPage(page: Page, dir: string, name: string): Promise<void> {
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true })
  expect(await seriousViolations(page)).toEqual([])
}
