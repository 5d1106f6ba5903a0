import type { Browser, BrowserContext } from 'playwright-core'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { launchChromium } from '../helpers/launch-chromium.ts'
import { startContainer, type RunningContainer } from '../helpers/start-container.ts'

/** One real container and one Chromium per test file; every context is closed after its test. */
export interface BrowserSuite {
  container: () => RunningContainer
  browser: () => Browser
  /** A fresh browser profile: its own cookies and storage, like another device. */
  newContext: () => Promise<BrowserContext>
}

/** Registers the hooks of a browser test file. Call inside its `describe`. */
export function browserSuite(env: Record<string, string> = {}): BrowserSuite {
  let container: RunningContainer | undefined
  let browser: Browser | undefined
  const contexts: BrowserContext[] = []
  beforeAll(async () => {
    container = await startContainer(env)
    browser = await launchChromium()
  })
  afterEach(async () => {
    // A route handler may still wait on a held request; it must not outlive its test.
    await Promise.all(
      contexts.splice(0).map(async (context) => {
        await context.unrouteAll({ behavior: 'ignoreErrors' })
        await context.close()
      }),
    )
  })
  afterAll(async () => {
    await browser?.close()
    await container?.stop()
  })
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} did not start`)
    return value
  }
  return {
    container: () => need(container, 'the container'),
    browser: () => need(browser, 'Chromium'),
    newContext: async () => {
      const context = await need(browser, 'Chromium').newContext()
      contexts.push(context)
      return context
    },
  }
}
