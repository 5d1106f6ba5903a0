import { describe, expect, it } from 'vitest'
import { companyKeys, workEmailDomain } from '../../../server/src/accounts/account-keys.ts'
import { normalizeDomain } from '../../../server/src/accounts/normalize-domain.ts'

describe('normalizeDomain', () => {
  it.each([
    ['airbnb.com', 'airbnb.com'],
    ['  AirBnb.COM ', 'airbnb.com'],
    ['https://www.airbnb.com/about?x=1', 'airbnb.com'],
    ['http://airbnb.com:8080', 'airbnb.com'],
    ['www.news.bbc.co.uk.', 'news.bbc.co.uk'],
  ])('normalises %j to %j', (input, expected) => {
    expect(normalizeDomain(input)).toBe(expected)
  })

  it.each(['', 'localhost', 'not a domain', '-bad-.com', 'http://'])('refuses %j', (input) => {
    expect(normalizeDomain(input)).toBeUndefined()
  })
})

describe('companyKeys', () => {
  it('keys a company by id first, then by domain', () => {
    expect(companyKeys({ id: 'b4c6', domain: 'airbnb.com' })).toEqual([
      'id:b4c6',
      'domain:airbnb.com',
    ])
    expect(companyKeys({ domain: 'airbnb.com' })).toEqual(['domain:airbnb.com'])
    expect(companyKeys({ name: 'No key' })).toEqual([])
  })
})

describe('workEmailDomain', () => {
  it('gives the employer domain of a work email', () => {
    expect(workEmailDomain('brian@airbnb.com')).toBe('airbnb.com')
  })

  it('gives nothing for free-mail providers or malformed input', () => {
    expect(workEmailDomain('someone@gmail.com')).toBeUndefined()
    expect(workEmailDomain('someone@proton.me')).toBeUndefined()
    expect(workEmailDomain('nobody')).toBeUndefined()
    expect(workEmailDomain(42)).toBeUndefined()
  })
})
