import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { post } from '../helpers/container-calls.ts'
import { createTestSchema, postgresAvailable, type TestSchema } from '../helpers/postgres.ts'
import { startContainers, type RunningContainer } from '../helpers/start-container.ts'

describe.skipIf(!postgresAvailable('the shared rate-limit test'))(
  'rate limits of container instances on one PostgreSQL',
  () => {
    let schema: TestSchema
    let instances: RunningContainer[] = []

    beforeAll(async () => {
      schema = await createTestSchema()
      instances = await startContainers(2, {
        PARLEY_DATABASE_URL: schema.url,
        PARLEY_RATE_LIMIT_IP_PER_MINUTE: '6',
        PARLEY_RATE_LIMIT_VISITOR_PER_MINUTE: '100',
      })
    })
    afterAll(async () => {
      await Promise.all(instances.map((running) => running.stop()))
      await schema.drop()
    })

    it('counts one client IP across every instance, so a limit holds for the cluster', async () => {
      const [a, b] = instances as [RunningContainer, RunningContainer]
      const statuses: number[] = []
      // Three calls on each instance use up the six the IP may make in a minute…
      for (const instance of [a, b, a, b, a, b]) {
        statuses.push((await post(instance, '/v1/web/page', { anonymousId: randomUUID() })).status)
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200])
      // …so the seventh is refused, whichever instance it reaches.
      const refused = await post(b, '/v1/web/page', { anonymousId: randomUUID() })
      expect(refused.status).toBe(429)
      expect(refused.body).toMatchObject({ error: { code: 'rate_limited' } })
    })
  },
)
