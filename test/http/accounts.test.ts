import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/test-app.ts'

let t: TestApp
beforeEach(() => {
  t = createTestApp()
})
afterEach(async () => {
  await t.close()
})

const airbnb = {
  id: 'b4c64565-adc1-4ba1-9a0f-d9639615e68c',
  domain: 'airbnb.com',
  name: 'AirBnb',
  industry: 'Information Technology',
  employeeCount: 6100,
  plan: 'premium',
}

async function account(userId: string) {
  return (await t.lookup({ userId }).expect(200)).body.profile.account
}

describe('company accounts', () => {
  it("shares one account between every user of a company (the seed's Brian Chesky call)", async () => {
    await t
      .server('/v1/identify', {
        userId: 'brian',
        traits: { email: 'brian@airbnb.com', name: 'Brian Chesky', title: 'CEO', company: airbnb },
      })
      .expect(200)
    t.advance(1000)
    await t
      .server('/v1/identify', {
        userId: 'nathan',
        traits: { email: 'nathan@airbnb.com', company: { id: airbnb.id, plan: 'enterprise' } },
      })
      .expect(200)
    const brian = await account('brian')
    const nathan = await account('nathan')
    expect(brian.id).toBe(nathan.id)
    expect(brian.keys).toEqual([`id:${airbnb.id}`, 'domain:airbnb.com'])
    expect(nathan.traits).toEqual({ ...airbnb, plan: 'enterprise' })
    expect(nathan.link.source).toBe('company')
  })

  it('keys a company without an id by its normalised domain', async () => {
    await t
      .server('/v1/identify', {
        userId: 'a',
        traits: { company: { domain: 'https://www.Acme.io/', name: 'Acme' } },
      })
      .expect(200)
    await t
      .server('/v1/identify', {
        userId: 'b',
        traits: { company: { domain: 'acme.io', plan: 'pro' } },
      })
      .expect(200)
    const a = await account('a')
    expect(a.id).toBe((await account('b')).id)
    expect(a.keys).toEqual(['domain:acme.io'])
  })

  it('links a user with a work email and no company traits to the account of that domain', async () => {
    await t.server('/v1/identify', { userId: 'brian', traits: { company: airbnb } }).expect(200)
    await t
      .server('/v1/identify', { userId: 'guest-host', traits: { email: 'host@AirBnb.com' } })
      .expect(200)
    const linked = await account('guest-host')
    expect(linked.id).toBe((await account('brian')).id)
    expect(linked.link.source).toBe('email')
  })

  it('creates the account of a work-email domain nobody named yet, and never links free mail', async () => {
    await t.server('/v1/identify', { userId: 'x', traits: { email: 'x@newco.dev' } }).expect(200)
    expect(await account('x')).toMatchObject({
      keys: ['domain:newco.dev'],
      traits: { domain: 'newco.dev' },
    })
    await t.server('/v1/identify', { userId: 'y', traits: { email: 'y@gmail.com' } }).expect(200)
    expect(await account('y')).toBeNull()
  })

  it('adopts a domain-keyed account when the company id arrives later', async () => {
    await t.server('/v1/identify', { userId: 'x', traits: { email: 'x@airbnb.com' } }).expect(200)
    const before = await account('x')
    await t.server('/v1/identify', { userId: 'brian', traits: { company: airbnb } }).expect(200)
    const after = await account('brian')
    expect(after.id).toBe(before.id)
    expect(after.keys).toEqual(['domain:airbnb.com', `id:${airbnb.id}`])
  })

  it('never lets a second company id take over the account a shared domain found', async () => {
    const company = (id: string) => ({ id, domain: 'holding.example', name: id })
    await t
      .server('/v1/identify', { userId: 'ann', traits: { company: company('c1') } })
      .expect(200)
    await t
      .server('/v1/identify', { userId: 'bob', traits: { company: company('c2') } })
      .expect(200)
    const [first, second] = [await account('ann'), await account('bob')]
    expect(second.id).not.toBe(first.id)
    expect(first.keys).toEqual(['id:c1', 'domain:holding.example'])
    expect(second.keys).toEqual(['id:c2'])
  })

  it('relinks a user who moves companies, and company: null leaves the account', async () => {
    await t
      .server('/v1/identify', { userId: 'u', traits: { company: { id: 'old-co' } } })
      .expect(200)
    t.advance(1000)
    await t
      .server('/v1/identify', { userId: 'u', traits: { company: { id: 'new-co' } } })
      .expect(200)
    expect((await account('u')).keys).toEqual(['id:new-co'])
    t.advance(1000)
    await t
      .server('/v1/identify', { userId: 'u', traits: { company: null, email: 'u@new-co.test' } })
      .expect(200)
    expect(await account('u')).toBeNull()
  })

  it('does not let a work email override an explicit company', async () => {
    await t
      .server('/v1/identify', { userId: 'u', traits: { company: { id: 'agency-client' } } })
      .expect(200)
    await t.server('/v1/identify', { userId: 'u', traits: { email: 'u@agency.test' } }).expect(200)
    expect((await account('u')).keys).toEqual(['id:agency-client'])
  })

  it('links the profile through a group call, with the group id as company id', async () => {
    await t
      .server('/v1/group', {
        userId: 'u',
        groupId: 'acme',
        traits: { name: 'Acme', employees: 40, website: 'https://acme.test' },
      })
      .expect(200)
    expect(await account('u')).toMatchObject({
      keys: ['id:acme'],
      traits: { id: 'acme', name: 'Acme', employeeCount: 40, website: 'https://acme.test' },
    })
  })

  it('warns and drops company traits with neither id, domain nor a work email', async () => {
    const response = await t
      .server('/v1/identify', {
        userId: 'u',
        traits: { email: 'u@gmail.com', company: { name: 'Nameless' } },
      })
      .expect(200)
    expect(response.body.warnings).toEqual([
      expect.objectContaining({ code: 'company_without_key', path: 'traits.company' }),
    ])
    expect(await account('u')).toBeNull()
  })

  it('keys company traits without id or domain by the work email’s domain', async () => {
    const response = await t
      .server('/v1/identify', {
        userId: 'jane',
        traits: { email: 'Jane@Acme.com', company: { name: 'Acme', plan: 'trial' } },
      })
      .expect(200)
    expect(response.body.warnings).toBeUndefined()
    expect(await account('jane')).toMatchObject({
      keys: ['domain:acme.com'],
      traits: { name: 'Acme', plan: 'trial', domain: 'acme.com' },
      link: { source: 'company' },
    })
    // A colleague who only logs in with a work email joins the same account.
    await t.server('/v1/identify', { userId: 'joe', traits: { email: 'joe@acme.com' } }).expect(200)
    expect((await account('joe')).id).toBe((await account('jane')).id)
  })

  it('brings the account along when an anonymous device with company traits merges into a user', async () => {
    await t
      .server('/v1/identify', {
        anonymousId: 'A',
        traits: { company: { id: 'acme', plan: 'trial' } },
      })
      .expect(200)
    await t.server('/v1/identify', { anonymousId: 'B', userId: 'U', traits: {} }).expect(200)
    await t.server('/v1/identify', { anonymousId: 'A', userId: 'U', traits: {} }).expect(200)
    expect((await account('U')).keys).toEqual(['id:acme'])
  })
})
