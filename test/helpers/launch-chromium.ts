import { existsSync } from 'node:fs'
import { chromium, type Browser } from 'playwright-core'

/** Debian's Chromium; tests never download a browser build. */
export const chromiumPath = '/usr/bin/chromium'

/** Flags every test browser starts with: headless, no sandbox (root in CI), no background traffic. */
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

/**
 * Why browser tests cannot run here, or `undefined` when Chromium is installed. Under `CI=true` a
 * missing browser throws instead: CI must fail, not skip. Elsewhere the reason is printed so the
 * skip is loud.
 */
export function chromiumMissing(): string | undefined {
  if (existsSync(chromiumPath)) return undefined
  const reason = `${chromiumPath} is missing (apt-get install -y chromium)`
  if (process.env.CI === 'true') throw new Error(`browser tests need Chromium: ${reason}`)
  console.warn(`SKIPPING browser tests: ${reason}`)
  return reason
}

/** Starts headless Chromium with `chromiumArgs`; throws a clear error when it is not installed. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`${chromiumPath} is missing: install it with apt-get install -y chromium`)
  }
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true })
}
