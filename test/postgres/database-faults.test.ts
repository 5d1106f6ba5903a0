import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { get, post, type CallResult } from '../helpers/container-calls.ts'
import {
  createTestSchema,
  postgresAvailable,
  postgresTestUrl,
  type TestSchema,
} from '../helpers/postgres.ts'
import { startContainer, type RunningContainer } from '../helpers/start-container.ts'
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts'

/**
 * A container whose only way to PostgreSQL is a proxy the test controls: the database can be
 * "stopped" (connections refused and reset) or "unreachable" (a black hole: nothing answers)
 * without touching the machine's real server.
 */
describe.skipIf(!postgresAvailable('the PostgreSQL fault tests'))(
  'A container when PostgreSQL goes away',
  () => {
    let schema: TestSchema
    let proxy: TcpProxy
    let container: RunningContainer
    // The request bound: far above the 2 s timeouts below (a busy CI machine needs headroom),
    // far below "hung".
    const bound = 15_000

    const viaProxy = () => {
      const url = new URL(schema.url)
      url.hostname = '127.0.0.1'
      url.port = String(proxy.port)
      return url.toString()
    }
    const identify = (userId: string) =>
      post(container, '/v1/identify', { userId, traits: { plan: 'pro' } }, bound)
    const errorCode = (result: CallResult) => (result.body.error as { code?: string }).code
    const waitUntilReady = async () => {
      for (let tries = 0; tries < 60; tries += 1) {
        const ready = await get(container, '/readyz', bound).catch((error: unknown) => {
          // The process itself must survive every fault; show why it did not.
          throw new Error(`the container stopped answering:\n${container.output().slice(-4000)}`, {
            cause: error,
          })
        })
        if (ready.status === 200) return
        await new Promise((done) => setTimeout(done, 500))
      }
      throw new Error('/readyz did not recover within 30 s')
    }

    beforeAll(async () => {
      schema = await createTestSchema()
      const target = new URL(postgresTestUrl)
      proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) })
      container = await startContainer({
        PARLEY_DATABASE_URL: viaProxy(),
        PARLEY_PG_POOL_SIZE: '4',
        PARLEY_PG_CONNECT_TIMEOUT_MS: '2000',
        PARLEY_PG_STATEMENT_TIMEOUT_MS: '2000',
      })
    })
    afterAll(async () => {
      await container.stop()
      await proxy.close()
      await schema.drop()
    })

    it.each(['refuse', 'blackhole'] as const)(
      'answers 503 store_unavailable without hanging when the database does %s, then recovers by itself',
      async (mode) => {
        expect((await identify(`before-${mode}`)).status).toBe(200)
        proxy.setMode(mode)

        const lost = `during-${mode}-${randomUUID()}`
        const write = await identify(lost)
        expect(write.status).toBe(503)
        expect(errorCode(write)).toBe('store_unavailable')
        const read = await get(container, `/v1/admin/profiles/lookup?userId=before-${mode}`, bound)
        expect([read.status, errorCode(read)]).toEqual([503, 'store_unavailable'])
        const ready = await get(container, '/readyz', bound)
        expect([ready.status, errorCode(ready)]).toEqual([503, 'store_unavailable'])
        expect((await get(container, '/healthz', bound)).status).toBe(200)

        proxy.setMode('forward')
        await waitUntilReady()
        expect((await identify(`after-${mode}`)).status).toBe(200)
        // The call answered 503 did not commit: a retry by the client is its first effect.
        const rows = await schema.query('SELECT 1 FROM profiles WHERE user_id = $1', [lost])
        expect(rows).toHaveLength(0)
      },
      60_000,
    )

    it('never answers 2xx for a write that did not commit while the database flaps', async () => {
      const answered: { userId: string; status: number }[] = []
      let flapping = true
      const writer = async (lane: number) => {
        for (let index = 0; flapping; index += 1) {
          const userId = `flap-${lane}-${index}-${randomUUID()}`
          const result = await identify(userId).catch(() => ({ status: 0, body: {} }))
          answered.push({ userId, status: result.status })
        }
      }
      const lanes = [0, 1, 2].map(writer)
      for (const mode of ['refuse', 'forward', 'blackhole', 'forward', 'refuse'] as const) {
        proxy.setMode(mode)
        await new Promise((done) => setTimeout(done, 1_500))
      }
      proxy.setMode('forward')
      flapping = false
      await Promise.all(lanes)
      await waitUntilReady()

      expect(answered.every((call) => call.status === 200 || call.status === 503)).toBe(true)
      const committed = new Set(
        (
          await schema.query<{ user_id: string }>(
            'SELECT user_id FROM profiles WHERE user_id = ANY($1)',
            [answered.map((call) => call.userId)],
          )
        ).map((row) => row.user_id),
      )
      const okButLost = answered.filter(
        (call) => call.status === 200 && !committed.has(call.userId),
      )
      expect(okButLost).toEqual([])
      expect(answered.some((call) => call.status === 200)).toBe(true)
      expect(answered.some((call) => call.status === 503)).toBe(true)
    }, 60_000)

    it('refuses to start, with a clear log line, when the database is down at start', async () => {
      proxy.setMode('refuse')
      try {
        await expect(
          startContainer({
            PARLEY_DATABASE_URL: viaProxy(),
            PARLEY_PG_CONNECT_TIMEOUT_MS: '1000',
          }),
        ).rejects.toThrow(/exited with 1[\s\S]*cannot open the store/)
      } finally {
        proxy.setMode('forward')
      }
    })
  },
)
