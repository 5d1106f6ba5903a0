import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createTestSchema, postgresAvailable, type TestSchema } from '../helpers/postgres.ts'
import {
  startContainer,
  testCredentials,
  type RunningContainer,
} from '../helpers/start-container.ts'

const writeAuth = `Basic ${Buffer.from(`${testCredentials.writeKey}:`).toString('base64')}`
const adminAuth = `Bearer ${testCredentials.adminToken}`

/** Bounds of the load: it stops by itself even if the kill never comes. */
const workers = 16
const killAfterAcks = 200
const maxRequests = 20_000
const maxMs = 15_000

const started: RunningContainer[] = []
afterAll(async () => {
  for (const container of started) await container.stop()
})

/**
 * Sends identifies as fast as `workers` connections allow, each with a unique user id and trait,
 * and records every one answered 2xx. Calls `onAck` after each acknowledgement.
 */
async function driveIdentifies(
  url: string,
  onAck: (acked: number) => void,
): Promise<{ acked: number[]; failed: number }> {
  const acked: number[] = []
  let next = 0
  let failed = 0
  const deadline = Date.now() + maxMs
  const worker = async () => {
    while (next < maxRequests && Date.now() < deadline) {
      const n = next++
      try {
        const res = await fetch(`${url}/v1/identify`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: writeAuth },
          body: JSON.stringify({
            userId: `crash-user-${n}`,
            messageId: `crash-${n}`,
            traits: { seq: n, email: `crash-${n}@example.com` },
          }),
        })
        if (res.ok) {
          acked.push(n)
          onAck(acked.length)
        } else {
          failed += 1
        }
        await res.arrayBuffer()
      } catch {
        // The process is gone: every later call fails too.
        failed += 1
        return
      }
    }
  }
  await Promise.all(Array.from({ length: workers }, worker))
  return { acked, failed }
}

/**
 * Drives identifies at full speed, SIGKILLs the process after `killAfterAcks` acknowledgements,
 * restarts a container on the same store (`restartEnv`) and returns the acknowledged calls it
 * cannot find.
 */
async function killAndRecheck(
  env: Record<string, string>,
  restartEnv: (first: RunningContainer) => Record<string, string>,
): Promise<{ acked: number; lost: number[] }> {
  const first = await startContainer(env)
  started.push(first)
  let killed = false
  const { acked, failed } = await driveIdentifies(first.url, (count) => {
    if (!killed && count >= killAfterAcks) {
      killed = true
      first.process.kill('SIGKILL')
    }
  })
  expect(killed).toBe(true)
  expect(failed).toBeGreaterThan(0) // calls were in flight when it died
  await first.stop({ keepData: true })
  expect(first.process.signalCode).toBe('SIGKILL')

  const second = await startContainer({ ...env, ...restartEnv(first) })
  started.push(second)
  const lost: number[] = []
  const queue = [...acked]
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
        const res = await fetch(`${second.url}/v1/admin/profiles/lookup?userId=crash-user-${n}`, {
          headers: { Authorization: adminAuth },
        })
        const body = (await res.json()) as { profile?: { traits?: { seq?: number } } }
        if (res.status !== 200 || body.profile?.traits?.seq !== n) lost.push(n)
      }
    }),
  )
  rmSync(first.dataDir, { recursive: true, force: true })
  return { acked: acked.length, lost }
}

describe('crash safety (real container process, SQLite file)', () => {
  it('keeps every identify answered 2xx when the process is SIGKILLed mid-load', async () => {
    const { acked, lost } = await killAndRecheck({}, (first) => ({
      PARLEY_DATABASE_URL: `sqlite:${join(first.dataDir, 'parley.db')}`,
    }))
    expect(acked).toBeGreaterThanOrEqual(killAfterAcks)
    expect(lost).toEqual([])
  }, 60_000)
})

describe.skipIf(!postgresAvailable('the PostgreSQL crash-safety test'))(
  'crash safety (real container process, PostgreSQL)',
  () => {
    let schema: TestSchema | undefined
    afterAll(async () => {
      await schema?.drop()
    })

    it('keeps every identify answered 2xx when the process is SIGKILLed mid-load', async () => {
      schema = await createTestSchema()
      const env = { PARLEY_DATABASE_URL: schema.url }
      const { acked, lost } = await killAndRecheck(env, () => env)
      expect(acked).toBeGreaterThanOrEqual(killAfterAcks)
      expect(lost).toEqual([])
    }, 90_000)
  },
)
