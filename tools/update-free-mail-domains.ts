/**
 * Refreshes `server/src/accounts/free-mail-domains.txt` from a published version of the
 * `free-email-domains` package (MIT): `npm run free-mail:update -- 1.12.6`. The list is taken
 * from the registry's tarball, never installed: the package's install script re-downloads the
 * list from third-party hosts, which would make every install differ and fail offline.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { normalizeDomain } from '../server/src/accounts/normalize-domain.ts'

const version = process.argv[2]
if (version === undefined || !/^\d+\.\d+\.\d+$/.test(version)) {
  process.stderr.write('usage: npm run free-mail:update -- <version of free-email-domains>\n')
  process.exit(2)
}
const target = resolve(import.meta.dirname, '../server/src/accounts/free-mail-domains.txt')
const dir = mkdtempSync(join(tmpdir(), 'free-mail-'))
try {
  const packed = execFileSync(
    'npm',
    ['pack', `free-email-domains@${version}`, '--pack-destination', dir, '--json', '--silent'],
    { encoding: 'utf8' },
  )
  const [{ filename }] = JSON.parse(packed) as [{ filename: string }]
  execFileSync('tar', [
    '-xzf',
    join(dir, filename),
    '-C',
    dir,
    'package/domains.json',
    'package/LICENSE.md',
  ])
  const listed = JSON.parse(readFileSync(join(dir, 'package/domains.json'), 'utf8')) as string[]
  const domains = [
    ...new Set(listed.map((d) => normalizeDomain(d)).filter((d) => d !== undefined)),
  ].sort()
  const license = readFileSync(join(dir, 'package/LICENSE.md'), 'utf8').trim()
  const header = [
    `free-email-domains@${version}: ${domains.length} free-mail and disposable-mail domains.`,
    'Refresh with npm run free-mail:update -- <version>; do not edit by hand (additions go in',
    'free-mail-domains.ts). Its licence:',
    '',
    ...license.split('\n'),
  ]
  writeFileSync(
    target,
    `${header.map((line) => `# ${line}`.trimEnd()).join('\n')}\n${domains.join('\n')}\n`,
  )
  process.stdout.write(`${target}: ${domains.length} domains from free-email-domains@${version}\n`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
