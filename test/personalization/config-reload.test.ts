import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Logger } from '../../server/src/config/logger.ts'
import { PersonalizationEngine } from '../../server/src/personalization/engine.ts'
import { readPersonalizationConfig } from '../../server/src/personalization/load-config.ts'
import {
  watchPersonalizationConfig,
  type ConfigWatch,
} from '../../server/src/personalization/watch-config.ts'

const segments = (...ids: string[]) =>
  `segments:\n${ids.map((id) => `  - { id: ${id}, rule: { attribute: user.plan, operator: exists } }`).join('\n')}\n`

/** A logger that keeps what it was told, to check what an operator would read. */
function recordingLogger() {
  const lines: { level: string; fields: unknown; message: string }[] = []
  const at =
    (level: string) =>
    (fields: unknown, message = '') =>
      lines.push({ level, fields, message })
  const logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
  return { logger: logger as unknown as Logger, lines }
}

async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 10_000) throw new Error('condition not met within 10 s')
    await new Promise((done) => setTimeout(done, 20))
  }
}

describe('personalisation config reload', () => {
  let dir: string
  let file: string
  let watch: ConfigWatch | undefined

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-config-'))
    file = join(dir, 'parley.yaml')
    writeFileSync(file, segments('first'))
  })
  afterEach(() => {
    watch?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const ids = (engine: PersonalizationEngine) => engine.config.segments.map((segment) => segment.id)

  it('picks up a changed file without a restart', async () => {
    const engine = new PersonalizationEngine(readPersonalizationConfig(file))
    const { logger, lines } = recordingLogger()
    watch = watchPersonalizationConfig(file, engine, logger, { intervalMs: 20 })
    writeFileSync(file, segments('first', 'second'))
    await until(() => ids(engine).length === 2)
    expect(ids(engine)).toEqual(['first', 'second'])
    expect(lines.some((line) => line.level === 'info' && /reloaded/.test(line.message))).toBe(true)
  })

  it('keeps the last good config on a broken change and logs every problem', async () => {
    const engine = new PersonalizationEngine(readPersonalizationConfig(file))
    const { logger, lines } = recordingLogger()
    watch = watchPersonalizationConfig(file, engine, logger, { intervalMs: 20 })
    writeFileSync(
      file,
      'segments:\n  - { id: s, rule: { attribute: user.plan, operator: like } }\n',
    )
    await until(() => lines.some((line) => line.level === 'error'))
    expect(ids(engine)).toEqual(['first'])
    const error = lines.find((line) => line.level === 'error')
    expect(error?.message).toMatch(/last good config stays/)
    expect(JSON.stringify(error?.fields)).toMatch(/segments\[0\]\.rule\.operator/)
    // The console shows the refused change with its paths, and the source in force.
    expect(engine.rejected?.issues.join('\n')).toMatch(/^segments\[0\]\.rule\.operator: /)
    expect(engine.source.segments.map((segment) => segment.id)).toEqual(['first'])

    // And the next good change is taken again.
    writeFileSync(file, segments('third'))
    await until(() => ids(engine)[0] === 'third')
  })

  it('reload() answers whether the new config is in force', () => {
    const engine = new PersonalizationEngine(readPersonalizationConfig(file))
    watch = watchPersonalizationConfig(file, engine, recordingLogger().logger, {
      intervalMs: 60_000,
    })
    writeFileSync(file, 'experiences: 3\n')
    expect(watch.reload()).toBe(false)
    expect(ids(engine)).toEqual(['first'])
    writeFileSync(file, segments('fourth'))
    expect(watch.reload()).toBe(true)
    expect(ids(engine)).toEqual(['fourth'])
  })

  it('keeps the last good config when applying a valid file fails unexpectedly', () => {
    class FailingEngine extends PersonalizationEngine {
      override replace(): void {
        throw new Error('boom')
      }
    }
    const engine = new FailingEngine(readPersonalizationConfig(file))
    const { logger, lines } = recordingLogger()
    watch = watchPersonalizationConfig(file, engine, logger, { intervalMs: 60_000 })
    writeFileSync(file, segments('fifth'))
    expect(watch.reload()).toBe(false)
    expect(ids(engine)).toEqual(['first'])
    expect(JSON.stringify(lines.find((line) => line.level === 'error')?.fields)).toMatch(/boom/)
  })

  it('keeps the last good config when the file disappears', () => {
    const engine = new PersonalizationEngine(readPersonalizationConfig(file))
    watch = watchPersonalizationConfig(file, engine, recordingLogger().logger, {
      intervalMs: 60_000,
    })
    rmSync(file)
    expect(watch.reload()).toBe(false)
    expect(ids(engine)).toEqual(['first'])
  })
})
