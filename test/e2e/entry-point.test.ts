import { spawnSync } from 'node:child_process'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { startContainer } from '../helpers/start-container.ts'

const root = resolve(import.meta.dirname, '../..')

describe('server entry (npm start)', () => {
  it('starts on the embedded SQLite store, answers health checks and stops cleanly on SIGTERM', async () => {
    const container = await startContainer()
    try {
      expect(await (await fetch(`${container.url}/healthz`)).json()).toEqual({ status: 'ok' })
      expect(await (await fetch(`${container.url}/readyz`)).json()).toEqual({
        status: 'ready',
        store: 'sqlite',
      })
    } finally {
      expect(await container.stop()).toBe(0)
    }
  })

  it('logs where the console is and the demo admin token only when that token is the default', async () => {
    const demo = await startContainer({ PARLEY_ADMIN_TOKEN: undefined })
    const configured = await startContainer()
    try {
      expect(demo.output()).toMatch(/"demoAdminToken":"demo-admin-token-change-me"/)
      expect(demo.output()).toContain(`"console":"http://localhost:${demo.port}/console"`)
      expect(configured.output()).not.toContain('demoAdminToken')
      expect(configured.output()).not.toContain('test-admin-token-0123456789')
    } finally {
      await Promise.all([demo.stop(), configured.stop()])
    }
  })

  it('refuses to start with a bad setting and names the variable', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'server/src/index.ts'], {
      cwd: root,
      env: { ...process.env, PORT: 'eighty' },
      encoding: 'utf8',
      timeout: 20_000,
    })
    expect(result.status).toBe(1)
    expect(result.stderr).toContain('PORT: Invalid input: expected number')
  })

  it('refuses to start in production without real credentials', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'server/src/index.ts'], {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        PARLEY_ADMIN_TOKEN: '',
        PARLEY_WRITE_KEYS: '',
        PARLEY_COOKIE_SECRET: '',
      },
      encoding: 'utf8',
      timeout: 20_000,
    })
    expect(result.status).toBe(1)
    expect(result.stderr).toMatch(/PARLEY_COOKIE_SECRET/)
  })
})
