import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startContainer, type RunningContainer } from '../helpers/start-container.ts'

const banner = (text: string) => `
experiences:
  - id: banner
    variations:
      - { id: only, content: { banner: '${text}' } }
`

const dirs: string[] = []
let container: RunningContainer | undefined
afterEach(async () => {
  await container?.stop()
  container = undefined
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function configFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-config-'))
  dirs.push(dir)
  const file = join(dir, 'parley.yaml')
  writeFileSync(file, text)
  return file
}

async function bannerText(url: string): Promise<string | undefined> {
  const response = await fetch(`${url}/v1/personalize`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ anonymousId: 'process-test-device', page: { path: '/' } }),
  })
  const body = (await response.json()) as { experiences: { content: { banner?: string } }[] }
  return body.experiences[0]?.content.banner
}

describe('PARLEY_CONFIG in a running container', () => {
  it('refuses to start on a broken file that would seed the store, naming the path of each problem', async () => {
    const file = configFile(
      'experiences:\n  - id: e\n    variations:\n      - { id: v, weight: heavy, content: {} }\n',
    )
    const started = startContainer({ PARLEY_CONFIG: file })
    await expect(started).rejects.toThrow(/exited with 1/)
    await expect(started).rejects.toThrow(
      /experiences\[0\]\.variations\[0\]\.weight: expected a number/,
    )
  })

  it('pinned to the file: serves it, reloads a change, and keeps the last good config on a broken one', async () => {
    const file = configFile(banner('First'))
    container = await startContainer({ PARLEY_CONFIG: file, PARLEY_CONFIG_SOURCE: 'file' })
    expect(await bannerText(container.url)).toBe('First')

    writeFileSync(file, banner('Second'))
    for (let waited = 0; (await bannerText(container.url)) !== 'Second'; waited += 100) {
      if (waited > 15_000) throw new Error(`no reload within 15 s:\n${container.output()}`)
      await new Promise((done) => setTimeout(done, 100))
    }

    writeFileSync(file, 'experiences: [{ id: broken }]\n')
    for (let waited = 0; !/change rejected/.test(container.output()); waited += 100) {
      if (waited > 15_000)
        throw new Error(`no rejection logged within 15 s:\n${container.output()}`)
      await new Promise((done) => setTimeout(done, 100))
    }
    expect(await bannerText(container.url)).toBe('Second')
    expect(container.output()).toMatch(/experiences\[0\]\.variations/)
  })

  it('seeds an empty store from the file, then serves the store: a later change of the file is not read', async () => {
    const file = configFile(banner('Seeded'))
    container = await startContainer({ PARLEY_CONFIG: file })
    expect(await bannerText(container.url)).toBe('Seeded')
    expect(container.output()).toContain('personalisation config seeded into the store')
    writeFileSync(file, banner('Edited file'))
    // Twice the file watch's interval: a pinned container would have reloaded by now.
    await new Promise((done) => setTimeout(done, 2_500))
    expect(await bannerText(container.url)).toBe('Seeded')
  })
})
