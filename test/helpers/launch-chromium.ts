import { existsSync } from 'node:fs'
import { chromium, type Browser } from 'playwright-core'

/** The Debian Chromium every browser test drives; playwright-core never downloads its own. */
export const chromiumPath = '/usr/bin/chromium'

const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

const missing = `${chromiumPath} is missing: install it with \`apt-get install -y chromium\``

/**
 * Whether the browser tests can run. In CI (`CI=true`) a missing Chromium is an error; elsewhere
 * this says loudly that the browser tests are skipped. Use with `describe.skipIf(!hasChromium())`.
 */
export function hasChromium(): boolean {
  if (existsSync(chromiumPath)) return true
  if (process.env.CI === 'true') throw new Error(`${missing} (CI=true: browser tests may not skip)`)
  console.warn(`\n!!! SKIPPING BROWSER TESTS: ${missing} !!!\n`)
  return false
}

/** Launches a fresh headless Debian Chromium. Throws with the install command when it is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) throw new Error(missing)
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs })
}
