import { afterEach, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/test-app.ts'
import { testCredentials } from '../helpers/start-container.ts'

const auth = `Basic ${Buffer.from(`${testCredentials.writeKey}:`).toString('base64')}`
const admin = `Bearer ${testCredentials.adminToken}`

let t: TestApp | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

describe('calls on one device that arrive together', () => {
  it('lose no update: every page view, event and trait lands on the one profile', async () => {
    t = createTestApp()
    const app = t
    const anonymousId = 'device-together'
    const calls = 30
    const send = (path: string, body: Record<string, unknown>) =>
      app
        .request()
        .post(path)
        .set('Authorization', auth)
        .send({ anonymousId, ...body })
    const answers = await Promise.all([
      send('/v1/identify', { userId: 'together-user', traits: { email: 'pat@acme.example' } }),
      ...Array.from({ length: calls }, (_, i) =>
        i % 3 === 0
          ? send('/v1/track', { event: `Clicked ${i}` })
          : i % 3 === 1
            ? send('/v1/page', { properties: { path: `/p/${i}` } })
            : send('/v1/identify', { traits: { [`seen${i}`]: true } }),
      ),
    ])
    expect(answers.map((answer) => [answer.status, answer.body])).toEqual(
      answers.map((answer) => [200, answer.body]),
    )

    const lookup = await app
      .request()
      .get('/v1/admin/profiles/lookup')
      .query({ userId: 'together-user' })
      .set('Authorization', admin)
      .expect(200)
    const profile = lookup.body.profile as {
      anonymousIds: string[]
      traits: Record<string, unknown>
      visitor: { pageViews: number; events: number }
    }
    expect(profile.anonymousIds).toEqual([anonymousId])
    expect(profile.visitor.pageViews).toBe(calls / 3)
    expect(profile.visitor.events).toBe(calls / 3)
    for (let i = 2; i < calls; i += 3) expect(profile.traits[`seen${i}`]).toBe(true)
    expect(profile.traits.email).toBe('pat@acme.example')
  })
})
