import Database from 'better-sqlite3'
import request from 'supertest'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { auth, buildApp, type BuiltApp } from '../helpers/build-app.ts'

let built: BuiltApp
beforeEach(() => {
  built = buildApp()
})
afterEach(async () => {
  await built.close()
})

const identify = (body: object) =>
  request(built.app).post('/v1/identify').set('Authorization', auth.write).send(body)
const track = (body: object) =>
  request(built.app).post('/v1/track').set('Authorization', auth.write).send(body)
const admin = (method: 'get' | 'delete' | 'post', path: string) =>
  request(built.app)[method](path).set('Authorization', auth.admin)

interface Exported {
  exportedAt: string
  profile: { mergeLog: { kind: string }[] }
  events: { name: string }[]
}

/** One user on two devices, with traits, a company and events: every kind of row we hold. */
async function seedUser(): Promise<void> {
  await identify({
    anonymousId: 'device-1',
    messageId: 'm-page-anon',
    traits: { viewedPricing: true },
  }).expect(200)
  await track({ anonymousId: 'device-1', event: 'Viewed Pricing', messageId: 'm-track-1' }).expect(
    200,
  )
  await identify({
    anonymousId: 'device-1',
    userId: 'user-42',
    messageId: 'm-identify-1',
    traits: { email: 'Ada@Example.com', title: 'CTO', company: { id: 'acme', name: 'Acme' } },
  }).expect(200)
  // The second device browsed anonymously first: its profile merges into the user's.
  await track({ anonymousId: 'device-2', event: 'Read Docs', messageId: 'm-track-d2' }).expect(200)
  await identify({ anonymousId: 'device-2', userId: 'user-42', messageId: 'm-identify-2' }).expect(
    200,
  )
  await track({ userId: 'user-42', event: 'Signed Up', messageId: 'm-track-2' }).expect(200)
}

/** Every row in the SQLite file that still mentions `needle`, by table. */
function rowsMentioning(needle: string): Record<string, number> {
  const db = new Database(built.file, { readonly: true })
  const found: Record<string, number> = {}
  for (const table of ['profiles', 'anonymous_ids', 'merge_log', 'events', 'suppressions']) {
    const rows = db.prepare(`SELECT * FROM ${table}`).all() as Record<string, unknown>[]
    const hits = rows.filter((row) => JSON.stringify(row).includes(needle)).length
    if (hits > 0) found[table] = hits
  }
  db.close()
  return found
}

describe('GET /v1/admin/profiles/export', () => {
  it('returns everything held on one user: traits, devices, account, merge log and events', async () => {
    await seedUser()
    const res = await admin('get', '/v1/admin/profiles/export?userId=user-42').expect(200)
    const exported = res.body as Exported
    expect(exported.profile).toMatchObject({
      userId: 'user-42',
      anonymousIds: ['device-1', 'device-2'],
      traits: { email: 'ada@example.com', title: 'CTO', viewedPricing: true },
      account: { traits: { id: 'acme', name: 'Acme' } },
    })
    expect(exported.profile.mergeLog.map((entry) => entry.kind)).toEqual(['identified', 'merged'])
    expect(exported.events.map((event) => event.name)).toEqual([
      'Viewed Pricing',
      'Read Docs',
      'Signed Up',
    ])
    expect(typeof exported.exportedAt).toBe('string')
  })

  it('answers 404 profile_not_found for an unknown user and 401 without the admin token', async () => {
    const missing = await admin('get', '/v1/admin/profiles/export?userId=nobody').expect(404)
    expect(missing.body).toMatchObject({
      error: { code: 'profile_not_found', path: 'query.userId' },
    })
    const denied = await request(built.app).get('/v1/admin/profiles/export?userId=x').expect(401)
    expect(denied.body).toMatchObject({ error: { code: 'invalid_admin_token' } })
  })
})

describe('DELETE /v1/admin/profiles', () => {
  it('erases the profile, every alias, its events and merge-log entries', async () => {
    await seedUser()
    const merged = (await admin('get', '/v1/admin/profiles/export?userId=user-42').expect(200))
      .body as { profile: { mergeLog: { kind: string; fromProfileId: string }[] } }
    const foldedId = merged.profile.mergeLog.find((entry) => entry.kind === 'merged')?.fromProfileId
    expect(foldedId).toEqual(expect.any(String))
    const res = await admin('delete', '/v1/admin/profiles?userId=user-42').expect(200)
    expect(res.body).toMatchObject({
      deleted: { userId: 'user-42', anonymousIds: 2, events: 3, mergeLog: 2 },
    })
    await admin('get', '/v1/admin/profiles/lookup?userId=user-42').expect(404)
    await admin('get', '/v1/admin/profiles/lookup?anonymousId=device-1').expect(404)
    await admin('get', '/v1/admin/profiles/lookup?anonymousId=device-2').expect(404)
    // Nothing in the file names the user any more: not the id, not a device, not the email.
    expect(rowsMentioning('user-42')).toEqual({})
    expect(rowsMentioning('device-1')).toEqual({})
    expect(rowsMentioning('ada@example.com')).toEqual({})
    expect(rowsMentioning('CTO')).toEqual({})
    expect(rowsMentioning(foldedId ?? '')).toEqual({})
  })

  it('does not let a retried or late old event bring the profile back', async () => {
    await seedUser()
    await admin('delete', '/v1/admin/profiles?userId=user-42').expect(200)

    // The SDK retries an old identify, with its old message id and with a new one.
    for (const messageId of ['m-identify-1', 'm-identify-retry']) {
      const res = await identify({
        anonymousId: 'device-1',
        userId: 'user-42',
        messageId,
        traits: { email: 'ada@example.com' },
      }).expect(200)
      expect(res.body).toMatchObject({ warnings: [{ code: 'suppressed', path: 'userId' }] })
    }
    // A late anonymous event from one of the user's devices.
    const late = await track({
      anonymousId: 'device-2',
      event: 'Late',
      messageId: 'm-late',
    }).expect(200)
    expect(late.body).toMatchObject({ warnings: [{ code: 'suppressed', path: 'anonymousId' }] })
    await admin('get', '/v1/admin/profiles/lookup?userId=user-42').expect(404)
    await admin('get', '/v1/admin/profiles/lookup?anonymousId=device-2').expect(404)
    expect(rowsMentioning('device-2')).toEqual({})
  })

  it('drops browser calls from a deleted device and reports them as suppressed', async () => {
    const first = await request(built.app)
      .post('/v1/web/identify')
      .send({ anonymousId: 'browser-1', userId: 'web-user', traits: { plan: 'pro' } })
      .expect(200)
    expect(first.body).toMatchObject({ userId: 'web-user' })
    await admin('delete', '/v1/admin/profiles?anonymousId=browser-1').expect(200)
    const again = await request(built.app)
      .post('/v1/web/page')
      .set('Content-Type', 'text/plain')
      .send(JSON.stringify({ anonymousId: 'browser-1' }))
      .expect(200)
    expect(again.body).toMatchObject({ userId: null, warnings: [{ code: 'suppressed' }] })
    await admin('get', '/v1/admin/profiles/lookup?anonymousId=browser-1').expect(404)
  })

  it('keeps the shared company account and the other users of it', async () => {
    await seedUser()
    await identify({ userId: 'colleague', traits: { company: { id: 'acme' } } }).expect(200)
    await admin('delete', '/v1/admin/profiles?userId=user-42').expect(200)
    const colleague = await admin('get', '/v1/admin/profiles/lookup?userId=colleague').expect(200)
    expect(colleague.body).toMatchObject({
      profile: { account: { traits: { id: 'acme', name: 'Acme' } } },
    })
  })

  it('answers 200 for an unknown user and still suppresses the id', async () => {
    const res = await admin('delete', '/v1/admin/profiles?userId=never-seen').expect(200)
    expect(res.body).toEqual({ deleted: null })
    const later = await identify({ userId: 'never-seen', traits: { name: 'X' } }).expect(200)
    expect(later.body).toMatchObject({ warnings: [{ code: 'suppressed' }] })
  })

  it('answers 400 naming the field when neither userId nor anonymousId is given', async () => {
    const res = await admin('delete', '/v1/admin/profiles').expect(400)
    expect(res.body).toMatchObject({ error: { code: 'invalid_field', path: 'query.userId' } })
  })
})

describe('/v1/admin/suppressions', () => {
  it('suppresses an email: later calls carrying it are dropped until lifted', async () => {
    const res = await admin('post', '/v1/admin/suppressions')
      .send({ email: ' Grace@Example.com ' })
      .expect(200)
    expect(res.body).toEqual({ suppressed: ['email'] })
    const dropped = await identify({
      userId: 'grace',
      traits: { email: 'grace@example.com' },
    }).expect(200)
    expect(dropped.body).toMatchObject({
      warnings: [{ code: 'suppressed', path: 'traits.email' }],
    })
    await admin('get', '/v1/admin/profiles/lookup?userId=grace').expect(404)

    const status = await admin('get', '/v1/admin/suppressions?email=grace@example.com').expect(200)
    expect(status.body).toEqual({ suppressed: { email: true } })
    const lifted = await admin('delete', '/v1/admin/suppressions?email=GRACE@example.com').expect(
      200,
    )
    expect(lifted.body).toEqual({ lifted: 1 })
    await identify({ userId: 'grace', traits: { email: 'grace@example.com' } }).expect(200)
    await admin('get', '/v1/admin/profiles/lookup?userId=grace').expect(200)
  })

  it('suppresses a user id without deleting what is already held', async () => {
    await identify({ userId: 'kept', traits: { name: 'Kept' } }).expect(200)
    await admin('post', '/v1/admin/suppressions').send({ userId: 'kept' }).expect(200)
    const res = await identify({ userId: 'kept', traits: { name: 'Changed' } }).expect(200)
    expect(res.body).toMatchObject({ warnings: [{ code: 'suppressed' }] })
    const view = await admin('get', '/v1/admin/profiles/lookup?userId=kept').expect(200)
    expect(view.body).toMatchObject({ profile: { traits: { name: 'Kept' } } })
  })

  it('stores only hashes of suppressed identifiers', async () => {
    await admin('post', '/v1/admin/suppressions')
      .send({ userId: 'secret-user', email: 'secret@example.com' })
      .expect(200)
    expect(rowsMentioning('secret')).toEqual({})
  })

  it('answers 400 for a body that names no identifier, and 401 without the token', async () => {
    const res = await admin('post', '/v1/admin/suppressions').send({ userId: '' }).expect(400)
    expect(res.body).toMatchObject({ error: { code: 'invalid_field', path: 'userId' } })
    await request(built.app).post('/v1/admin/suppressions').send({ userId: 'x' }).expect(401)
  })
})
