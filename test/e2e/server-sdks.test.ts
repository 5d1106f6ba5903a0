import Rudder from '@rudderstack/rudder-sdk-node'
import { Analytics } from '@segment/analytics-node'
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

async function lookup(userId: string) {
  const response = await fetch(
    `${container.url}/v1/admin/profiles/lookup?userId=${encodeURIComponent(userId)}`,
    {
      headers: { authorization: `Bearer ${testCredentials.adminToken}` },
    },
  )
  return {
    status: response.status,
    body: (await response.json()) as { profile: Record<string, unknown> },
  }
}

describe('the real @segment/analytics-node SDK pointed at a running container', () => {
  it('lands identify, group and track calls in the profile', async () => {
    const analytics = new Analytics({
      writeKey: testCredentials.writeKey,
      host: container.url,
      flushAt: 3,
      maxRetries: 0,
    })
    const failures: unknown[] = []
    analytics.on('error', (error) => failures.push(error))

    analytics.identify({
      userId: 'a1cab6eb-fe12-4ded-beb5-201e9cb575c7',
      anonymousId: 'sdk-device',
      traits: { name: 'Marc Benioff', email: 'marc@salesforce.com', title: 'CEO' },
    })
    analytics.group({
      userId: 'a1cab6eb-fe12-4ded-beb5-201e9cb575c7',
      groupId: 'salesforce',
      traits: { name: 'Salesforce', industry: 'Software', employees: 70000 },
    })
    analytics.track({
      userId: 'a1cab6eb-fe12-4ded-beb5-201e9cb575c7',
      event: 'Demo Requested',
      properties: { plan: 'enterprise' },
    })
    await analytics.closeAndFlush({ timeout: 10_000 })
    expect(failures).toEqual([])

    const { status, body } = await lookup('a1cab6eb-fe12-4ded-beb5-201e9cb575c7')
    expect(status).toBe(200)
    expect(body.profile).toMatchObject({
      anonymousIds: ['sdk-device'],
      traits: {
        name: 'Marc Benioff',
        email: 'marc@salesforce.com',
        title: 'CEO',
        firstName: 'Marc',
        lastName: 'Benioff',
      },
      account: {
        keys: ['id:salesforce'],
        traits: {
          id: 'salesforce',
          name: 'Salesforce',
          industry: 'Software',
          employeeCount: 70000,
        },
      },
      visitor: { events: 1 },
    })
  })

  it('lands an anonymous page and trait, identify on that device, track and group in one profile and account', async () => {
    const analytics = new Analytics({
      writeKey: testCredentials.writeKey,
      host: container.url,
      flushAt: 5,
      maxRetries: 0,
    })
    const failures: unknown[] = []
    analytics.on('error', (error) => failures.push(error))
    const journey = journeyFor('segment-node')
    const anonymousId = 'segment-node-device'
    sendServerJourney(analytics, journey, anonymousId)
    await analytics.closeAndFlush({ timeout: 10_000 })
    expect(failures).toEqual([])
    await expectJourneyLanded(container, journey, anonymousId)
  })

  it('is refused with a wrong write key, and the SDK reports the failure', async () => {
    const analytics = new Analytics({
      writeKey: 'not-the-key',
      host: container.url,
      flushAt: 1,
      maxRetries: 0,
    })
    const failures: unknown[] = []
    analytics.on('error', (error) => failures.push(error))
    analytics.identify({ userId: 'intruder', traits: {} })
    await analytics.closeAndFlush({ timeout: 10_000 })
    expect(failures.length).toBeGreaterThan(0)
    expect((await lookup('intruder')).status).toBe(404)
  })
})

/** Flushes and resolves with the error the SDK reported for the flush, if any. */
function flush(client: Rudder): Promise<unknown> {
  return new Promise((done) => {
    void client.flush((error?: unknown) => done(error))
  })
}

describe('the real @rudderstack/rudder-sdk-node 3 SDK (gzip on) pointed at a running container', () => {
  it('lands an anonymous page and trait, identify on that device, track and group in one profile and account', async () => {
    const failures: unknown[] = []
    const client = new Rudder(testCredentials.writeKey, {
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
    const client = new Rudder('not-the-key', {
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
