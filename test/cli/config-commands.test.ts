import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { propagationBoundMs } from '../../server/src/config-versions/live-config.ts'
import { authenticate } from '../../server/src/console-users/manage-users.ts'
import { parsePersonalizationConfig } from '../../server/src/personalization/load-config.ts'
import { SqliteStore } from '../../server/src/store/sqlite/sqlite-store.ts'
import { brokenConfig, headlineConfig } from '../helpers/config-documents.ts'
import { parley } from '../helpers/parley-cli.ts'
import { startContainer, type RunningContainer } from '../helpers/start-container.ts'

let dir: string
let counter = 0
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-config-cli-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** A fresh SQLite store's settings for one test. */
function freshStore(): { env: Record<string, string>; file: string } {
  const file = join(dir, `store-${counter++}.db`)
  return { env: { PARLEY_DATABASE_URL: `sqlite:${file}` }, file }
}

function yamlFile(document: unknown, name = `config-${counter++}.yaml`): string {
  const file = join(dir, name)
  writeFileSync(file, stringify(document))
  return file
}

async function inStore<T>(file: string, read: (store: SqliteStore) => Promise<T>): Promise<T> {
  const store = new SqliteStore(file)
  try {
    return await read(store)
  } finally {
    await store.close()
  }
}

// Each test runs the real command several times, each a fresh Node process: on a busy 2-core
// machine that takes longer than one HTTP test.
describe('parley config import and export', { timeout: 60_000 }, () => {
  it('imports a file as the next version and exports it back as the loader reads it', async () => {
    const { env } = freshStore()
    const source = yamlFile(headlineConfig('Imported'))
    const imported = await parley(['config', 'import', source, '--note', 'From git'], env)
    expect(imported.stderr).toBe('')
    expect(imported.code).toBe(0)
    expect(imported.stdout).toContain(
      'as config version 1: segment everyone added; experience hero added',
    )
    const second = await parley(
      ['config', 'import', yamlFile(headlineConfig('Second')), '--author', 'ci'],
      env,
    )
    expect(second.stdout).toContain('as config version 2: experience hero changed (variations)')

    const exported = await parley(['config', 'export', '--version', '1'], env)
    expect(exported.code).toBe(0)
    expect(exported.stdout).toMatch(
      /^# Parley config version 1, import by operator \(parley config import\) at \d{4}-.*: From git\n/,
    )
    expect(parsePersonalizationConfig(exported.stdout, 'exported.yaml')).toEqual(
      parsePersonalizationConfig(readFileSync(source, 'utf8'), 'source.yaml'),
    )
    const json = await parley(['config', 'export', '--format', 'json'], env)
    const latest = JSON.parse(json.stdout) as ReturnType<typeof parsePersonalizationConfig>
    expect(latest.experiences[0]?.variations[0]?.content['hero-title']).toBe('Second')
    const out = join(dir, 'exported.yaml')
    const toFile = await parley(['config', 'export', '--out', out], env)
    expect(toFile.stdout).toContain(`exported config version 2`)
    expect(parsePersonalizationConfig(readFileSync(out, 'utf8'), out)).toEqual(latest)
  })

  it('records who imported and the note in the version and the audit log', async () => {
    const { env, file } = freshStore()
    await parley(['config', 'import', yamlFile(headlineConfig('A')), '--author', 'ci-bot'], env)
    const [version, audit] = await inStore(file, (store) =>
      store.read(async (r) => [await r.latestConfigVersion(), await r.auditLog(null, 5)] as const),
    )
    expect(version).toMatchObject({
      number: 1,
      kind: 'import',
      author: 'ci-bot',
      baseVersion: null,
    })
    expect(version?.note).toMatch(/^Imported from .*\.yaml$/)
    expect(audit).toMatchObject([{ action: 'import', actor: 'ci-bot', toVersion: 1 }])
  })

  it('refuses a broken file with each problem and its path, writing nothing', async () => {
    const { env, file } = freshStore()
    const run = await parley(['config', 'import', yamlFile(brokenConfig())], env)
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('1 problem; nothing was imported')
    expect(run.stderr).toContain('  experiences[0].holdout: expected a number')
    expect(await inStore(file, (s) => s.read((r) => r.latestConfigVersionNumber()))).toBeNull()
  })

  it('refuses to import when the config is pinned to a file', async () => {
    const { env, file } = freshStore()
    const run = await parley(['config', 'import', yamlFile(headlineConfig('A'))], {
      ...env,
      PARLEY_CONFIG_SOURCE: 'file',
      PARLEY_CONFIG: 'config/site.yaml',
    })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('PARLEY_CONFIG_SOURCE=file pins the config to config/site.yaml')
    expect(await inStore(file, (s) => s.read((r) => r.latestConfigVersionNumber()))).toBeNull()
  })

  it('says when there is nothing to export, and refuses a wrong command line', async () => {
    const { env } = freshStore()
    const empty = await parley(['config', 'export'], env)
    expect(empty.code).toBe(1)
    expect(empty.stderr).toContain('holds no config version yet')
    const missing = await parley(['config', 'export', '--version', '4'], env)
    expect(missing.stderr).toContain('has no config version 4')
    for (const args of [
      ['config'],
      ['config', 'export', '--version', 'x'],
      ['config', 'export', '--format', 'toml'],
      ['config', 'export', '--colour'],
      ['config', 'import'],
    ]) {
      const run = await parley(args, env)
      expect(run.code, args.join(' ')).toBe(2)
      expect(run.stderr).toContain('Usage: parley')
    }
  })
})

describe('parley config import into a running container', () => {
  let container: RunningContainer | undefined
  afterEach(async () => {
    await container?.stop()
    container = undefined
  })

  it(`is served by the container within ${propagationBoundMs} ms (another process: found by the poll)`, async () => {
    container = await startContainer({ PARLEY_CONFIG: yamlFile(headlineConfig('Seeded')) })
    const headline = async () => {
      const response = await fetch(`${container?.url}/v1/personalize`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ anonymousId: 'cli-visitor', page: { path: '/' } }),
      })
      const body = (await response.json()) as { experiences: { content: Record<string, string> }[] }
      return body.experiences[0]?.content['hero-title']
    }
    expect(await headline()).toBe('Seeded')
    const run = await parley(['config', 'import', yamlFile(headlineConfig('From the CLI'))], {
      PARLEY_DATABASE_URL: `sqlite:${join(container.dataDir, 'parley.db')}`,
    })
    expect(run.code, run.stderr).toBe(0)
    const committed = Date.now()
    while ((await headline()) !== 'From the CLI') {
      if (Date.now() - committed > propagationBoundMs) {
        throw new Error(`not served within ${propagationBoundMs} ms:\n${container.output()}`)
      }
      await new Promise((done) => setTimeout(done, 20))
    }
    await container.waitForOutput('personalisation config version 2 in force')
  })
})

describe('parley user', { timeout: 60_000 }, () => {
  it('adds a user with a password from stdin, who can then sign in', async () => {
    const { env, file } = freshStore()
    const run = await parley(
      ['user', 'add', 'ann@example.com', '--role', 'editor', '--password-stdin'],
      env,
      'a long enough password\n',
    )
    expect(run.stderr).toBe('')
    expect(run.stdout).toContain('added ann@example.com (editor)')
    expect(run.stdout).not.toContain('password:')
    const user = await inStore(file, (s) =>
      s.read((r) => authenticate(r, 'ann@example.com', 'a long enough password')),
    )
    expect(user).toMatchObject({ name: 'ann@example.com', role: 'editor' })
    expect(user?.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/)
  })

  it('generates and prints a password once when none is given', async () => {
    const { env, file } = freshStore()
    const run = await parley(['user', 'add', 'val', '--role', 'viewer'], env)
    const password = /password: (\S+) \(shown once/.exec(run.stdout)?.[1] ?? ''
    expect(password.length).toBeGreaterThanOrEqual(24)
    expect(
      await inStore(file, (s) => s.read((r) => authenticate(r, 'val', password))),
    ).toMatchObject({ role: 'viewer' })
  })

  it('lists, replaces and removes users, each change in the audit log', async () => {
    const { env, file } = freshStore()
    await parley(['user', 'add', 'ann', '--role', 'viewer'], env)
    await parley(['user', 'add', 'bob', '--role', 'editor'], env)
    const again = await parley(['user', 'add', 'ann', '--role', 'editor'], env)
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('a user named ann exists already; nothing was changed')
    const replaced = await parley(
      ['user', 'add', 'ann', '--role', 'editor', '--replace', '--password-stdin'],
      env,
      'another long password',
    )
    expect(replaced.stdout).toContain('updated ann (editor)')
    const list = await parley(['user', 'list'], env)
    expect(
      list.stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split('\t').slice(0, 2)),
    ).toEqual([
      ['ann', 'editor'],
      ['bob', 'editor'],
    ])
    expect((await parley(['user', 'remove', 'bob'], env)).stdout).toContain('removed bob')
    const gone = await parley(['user', 'remove', 'bob'], env)
    expect(gone.code).toBe(1)
    expect(gone.stderr).toContain('there is no user named bob')
    const audit = await inStore(file, (s) => s.read((r) => r.auditLog(null, 10)))
    expect(audit.map((e) => [e.action, e.subject, e.actor])).toEqual([
      ['user.remove', 'bob', 'operator (parley user)'],
      ['user.update', 'ann', 'operator (parley user)'],
      ['user.add', 'bob', 'operator (parley user)'],
      ['user.add', 'ann', 'operator (parley user)'],
    ])
  })

  it('refuses a short password, a bad name or role, and a wrong command line', async () => {
    const { env, file } = freshStore()
    const short = await parley(
      ['user', 'add', 'ann', '--role', 'editor', '--password-stdin'],
      env,
      'short',
    )
    expect(short.code).toBe(1)
    expect(short.stderr).toContain('a password has at least 12 characters')
    const name = await parley(['user', 'add', 'two words', '--role', 'editor'], env)
    expect(name.code).toBe(1)
    expect(name.stderr).toContain('a user name is 1 to 100 letters')
    for (const args of [
      ['user', 'add', 'ann'],
      ['user', 'add', 'ann', '--role', 'admin'],
      ['user', 'add', '--role', 'editor'],
      ['user', 'remove'],
      ['user', 'list', 'extra'],
      ['user', 'rename', 'ann'],
    ]) {
      const run = await parley(args, env)
      expect(run.code, args.join(' ')).toBe(2)
    }
    expect(await inStore(file, (s) => s.read((r) => r.consoleUsers()))).toEqual([])
  })
})
