import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'

/**
 * Turns a missing outside part into a failure under CI=true and a loud skip elsewhere: returns
 * the reason to skip, or throws.
 */
function missing(reason: string): string {
  if (process.env.CI === 'true') throw new Error(`GTM login flow end to end cannot run: ${reason}`)
  console.warn(`SKIPPING the GTM login flow end to end: ${reason}`)
  return reason
}

/** Why the browser cannot run here, or undefined when /usr/bin/chromium is installed. */
export function chromiumMissing(): string | undefined {
  return existsSync('/usr/bin/chromium')
    ? undefined
    : missing('/usr/bin/chromium is missing (apt-get install -y chromium)')
}

/** Why the test site cannot make its TLS certificate, or undefined when openssl runs. */
export function opensslMissing(): string | undefined {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' })
    return undefined
  } catch {
    return missing('openssl is not installed (apt-get install -y openssl)')
  }
}

/**
 * Why the template cannot load the browser client from this container, or undefined when it
 * serves `/parley/client.js` (the browser client issue adds it).
 */
export async function clientMissing(containerUrl: string): Promise<string | undefined> {
  const answer = await fetch(`${containerUrl}/parley/client.js`)
  return answer.ok
    ? undefined
    : missing(
        `the container answers ${answer.status} for /parley/client.js: the browser client (issue 4) is not merged yet`,
      )
}
