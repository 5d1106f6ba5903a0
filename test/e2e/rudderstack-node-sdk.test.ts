import Analytics from '@rudderstack/rudder-sdk-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectJourneyLanded, journeyFor, sendServerJourney } from '../helpers/sdk-journey.ts'
import {
  startContainer,
  testCredentials,
  type RunningContainer,
} from '../helpers/start-container.ts'

let container: RunningContainer
beforeAll(async () => {
  container = await startContainer()
})
afterAll(async () => {
  await container.stop()
})

/** Flushes and resolves with the error the SDK reported for the flush, if any. */
function flush(client: Analytics): Promise<unknown> {
  return new Promise((done) => {
    void client.flush((error?: unknown) => done(error))
  })
}

describe('the real @rudderstack/rudder-sdk-node 3 SDK (gzip on) pointed at a running container', () => {
  it('lands an anonymous page and trait, identify on that device, track and group in one profile and account', async () => {
    const failures: unknown[] = []
    const client = new Analytics(testCredentials.writeKey, {
      dataPlaneUrl: container.url,
      gzip: true,
      flushAt: 100,
      flushInterval: 60_000,
      retryCount: 0,
      logLevel: 'error',
      errorHandler: (error?: unknown) => failures.push(error),
    })
    const journey = journeyFor('rudder-node')
    const anonymousId = 'rudder-node-device'
    sendServerJourney(client, journey, anonymousId)
    expect(await flush(client)).toBeUndefined()
    expect(failures).toEqual([])
    await expectJourneyLanded(container, journey, anonymousId)
  })

  it('reports a wrong write key to its error handler, and stores nothing', async () => {
    const failures: unknown[] = []
    const client = new Analytics('not-the-key', {
      dataPlaneUrl: container.url,
      gzip: true,
      retryCount: 0,
      logLevel: 'silent',
      errorHandler: (error?: unknown) => failures.push(error),
    })
    client.identify({ userId: 'rudder-intruder', traits: {} })
    await flush(client)
    expect(failures).toHaveLength(1)
    const response = await fetch(
      `${container.url}/v1/admin/profiles/lookup?userId=rudder-intruder`,
      {
        headers: { authorization: `Bearer ${testCredentials.adminToken}` },
      },
    )
    expect(response.status).toBe(404)
  })
})
