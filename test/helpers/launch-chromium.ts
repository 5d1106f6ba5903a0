import { existsSync } from 'node:fs'
import { chromium, type Browser } from 'playwright-core'

/** Debian's Chromium; tests never download a browser build. */
const chromiumPath = '/usr/bin/chromium'

/** Headless, no sandbox (root in CI), no background traffic that could make a run flaky. */
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

/**
 * Starts the system's headless Chromium (`/usr/bin/chromium`) with the project's fixed flags.
 * Throws a clear error when it is not installed; suites decide whether that fails (CI=true) or
 * skips loudly.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`${chromiumPath} is missing: install it with apt-get install -y chromium`)
  }
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true })
}
