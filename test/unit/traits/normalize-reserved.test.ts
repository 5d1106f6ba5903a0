import { describe, expect, it } from 'vitest'
import {
  normalizeCompanyTraits,
  normalizeTraits,
} from '../../../server/src/traits/normalize-reserved.ts'

describe('normalizeTraits', () => {
  it('trims and lower-cases emails', () => {
    expect(normalizeTraits({ email: '  Marc@Salesforce.COM ' }).user).toEqual({
      email: 'marc@salesforce.com',
    })
  })

  it('drops a malformed email with a warning that names its path, and keeps the rest', () => {
    const result = normalizeTraits({ email: 'not-an-email', title: 'CEO' })
    expect(result.user).toEqual({ title: 'CEO' })
    expect(result.warnings).toEqual([
      expect.objectContaining({ code: 'invalid_reserved_trait', path: 'traits.email' }),
    ])
  })

  it('stores snake_case spellings of reserved traits in camelCase, the camelCase one winning', () => {
    expect(
      normalizeTraits({ first_name: 'Brian', last_name: 'Chesky', created_at: 0 }).user,
    ).toEqual({
      firstName: 'Brian',
      lastName: 'Chesky',
      createdAt: '1970-01-01T00:00:00.000Z',
    })
    expect(normalizeTraits({ first_name: 'snake', firstName: 'camel' }).user).toEqual({
      firstName: 'camel',
    })
  })

  it('drops a reserved trait of the wrong type with a warning', () => {
    const result = normalizeTraits({ name: 42, phone: { n: 1 }, custom: 42 })
    expect(result.user).toEqual({ custom: 42 })
    expect(result.warnings.map((w) => w.path)).toEqual(['traits.name', 'traits.phone'])
  })

  it('lets null through for reserved traits, because null deletes', () => {
    expect(normalizeTraits({ email: null }).user).toEqual({ email: null })
  })

  it('reads Unix seconds and ISO dates for createdAt', () => {
    expect(normalizeTraits({ createdAt: 1_700_000_000 }).user.createdAt).toBe(
      '2023-11-14T22:13:20.000Z',
    )
    expect(normalizeTraits({ createdAt: '2024-01-02' }).user.createdAt).toBe(
      '2024-01-02T00:00:00.000Z',
    )
    expect(normalizeTraits({ createdAt: 'yesterday' }).warnings).toHaveLength(1)
  })

  it('splits company traits off and normalises them: bare lower-case domain, integer employee count', () => {
    const result = normalizeTraits({
      name: 'Brian Chesky',
      company: {
        id: 'b4c6',
        domain: 'https://WWW.Airbnb.com/about',
        employee_count: 6100,
        annual_revenue: 1.5e9,
        plan: 'premium',
      },
    })
    expect(result.user).toEqual({ name: 'Brian Chesky' })
    expect(result.company).toEqual({
      id: 'b4c6',
      domain: 'airbnb.com',
      employeeCount: 6100,
      annualRevenue: 1.5e9,
      plan: 'premium',
    })
  })

  it('drops a negative or fractional employee count and a non-object company with warnings', () => {
    expect(normalizeTraits({ company: { id: 'x', employeeCount: -1 } }).warnings[0]?.path).toBe(
      'traits.company.employeeCount',
    )
    expect(normalizeTraits({ company: { id: 'x', employeeCount: 2.5 } }).company).toEqual({
      id: 'x',
    })
    const notObject = normalizeTraits({ company: 'Acme' })
    expect(notObject.company).toBeUndefined()
    expect(notObject.warnings[0]?.path).toBe('traits.company')
  })

  it('reads company: null as leaving the account', () => {
    expect(normalizeTraits({ company: null }).company).toBeNull()
  })

  it('turns a numeric company id into a string', () => {
    expect(normalizeCompanyTraits({ id: 42, employees: 10 }, 'traits').company).toEqual({
      id: '42',
      employeeCount: 10,
    })
  })
})
