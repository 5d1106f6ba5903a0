import { spawnSync } from 'node:child_process'
import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { chooseLogFormat, createLogger, type LogFormat } from '../../server/src/config/logger.ts'
import { startContainer } from '../helpers/start-container.ts'

function capture(format: LogFormat): {
  lines: () => string[]
  logger: ReturnType<typeof createLogger>
} {
  const stream = new PassThrough()
  let text = ''
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()))
  const logger = createLogger('info', { format, destination: stream })
  return { lines: () => text.split('\n').filter((line) => line !== ''), logger }
}

describe('log format', () => {
  it('is pretty on a terminal outside production, JSON otherwise, unless set', () => {
    expect(chooseLogFormat('auto', { isTTY: true }, 'development')).toBe('pretty')
    expect(chooseLogFormat('auto', { isTTY: true }, 'production')).toBe('json')
    expect(chooseLogFormat('auto', {}, 'development')).toBe('json')
    expect(chooseLogFormat('pretty', {}, 'production')).toBe('pretty')
    expect(chooseLogFormat('json', { isTTY: true }, 'development')).toBe('json')
  })

  it('writes one JSON object a line in json format', () => {
    const { lines, logger } = capture('json')
    logger.info({ requestId: 'r-1', status: 200 }, 'request done')
    const record = JSON.parse(lines()[0] ?? '')
    expect(record).toMatchObject({
      level: 30,
      service: 'parley',
      requestId: 'r-1',
      status: 200,
      msg: 'request done',
    })
  })

  it('writes one readable line with the same fields in pretty format', () => {
    const { lines, logger } = capture('pretty')
    logger.warn({ requestId: 'r-1', status: 503 }, 'request failed')
    expect(lines()).toHaveLength(1)
    const line = lines()[0] ?? ''
    expect(line).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: request failed \{"service":"parley",/)
    expect(line).toContain('"requestId":"r-1"')
    expect(line).toContain('"status":503')
    expect(() => JSON.parse(line)).toThrow()
  })

  it('is pretty in a real container when PARLEY_LOG_FORMAT=pretty, JSON by default', async () => {
    const [pretty, json] = await Promise.all([
      startContainer({ PARLEY_LOG_FORMAT: 'pretty' }),
      startContainer(),
    ])
    try {
      expect(pretty.output()).toMatch(
        /INFO: parley listening on port \d+ \{"service":"parley",.*"store":"sqlite"/,
      )
      const line =
        json
          .output()
          .split('\n')
          .find((l) => l.includes('listening')) ?? ''
      expect(JSON.parse(line)).toMatchObject({ service: 'parley', store: 'sqlite' })
    } finally {
      await Promise.all([pretty.stop(), json.stop()])
    }
    // Two real processes start here: on a loaded machine that takes longer than a unit test.
  }, 60_000)
})

const hasScript = spawnSync('script', ['--version']).status === 0

describe('log format on a terminal', () => {
  it('is pretty by default when stdout is a terminal', async () => {
    if (!hasScript) {
      if (process.env.CI === 'true')
        throw new Error('CI needs util-linux script(1) for the terminal test')
      process.stderr.write('\n*** SKIPPED the terminal log test: no script(1) (util-linux) ***\n\n')
      return
    }
    const container = await startContainer({ PARLEY_LOG_FORMAT: 'auto' }, { terminal: true })
    try {
      const output = container.output()
      // eslint-disable-next-line no-control-regex
      const plain = output.replace(/\u001b\[[0-9;]*m/g, '')
      expect(plain).toMatch(/INFO: parley listening on port \d+ \{"service":"parley"/)
      expect(output).toContain('\u001b[') // coloured on a terminal
      expect((await fetch(`${container.url}/healthz`)).status).toBe(200)
    } finally {
      await container.stop()
    }
  })
})
