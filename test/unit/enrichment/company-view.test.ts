import { describe, expect, it } from 'vitest'
import {
  CompanyRangesError,
  parseCompanyRanges,
} from '../../../server/src/enrichment/company-ranges.ts'
import type { InferredCompany } from '../../../server/src/enrichment/enrichment.ts'
import { companyView, fillMissing } from '../../../server/src/enrichment/inferred-company.ts'
import { parseIp } from '../../../server/src/enrichment/ip-address.ts'

const acme: InferredCompany = {
  domain: 'acme.com',
  traits: {
    domain: 'acme.com',
    name: 'Acme (inferred)',
    industry: 'Software',
    employeeCount: 5000,
  },
  source: 'ranges',
}

describe('companyView', () => {
  it('shows the inferred company to a visitor without an account, marked inferred', () => {
    expect(companyView(undefined, acme, undefined)).toEqual({
      traits: acme.traits,
      source: 'inferred',
    })
  })

  it('keeps declared traits over inferred ones for the same company', () => {
    const declared = { domain: 'acme.com', name: 'Acme Corp', plan: 'premium' }
    expect(companyView(declared, acme, undefined)).toEqual({
      traits: {
        domain: 'acme.com',
        name: 'Acme Corp',
        plan: 'premium',
        industry: 'Software',
        employeeCount: 5000,
      },
      source: 'declared',
    })
  })

  it('ignores an inferred company that is not the declared one', () => {
    const declared = { domain: 'globex.com', name: 'Globex' }
    expect(companyView(declared, acme, undefined)).toEqual({ traits: declared, source: 'declared' })
  })

  it('fills what is still missing from provider firmographics, declared first', () => {
    const firmographics = (domain: string) =>
      domain === 'acme.com'
        ? { industry: 'Manufacturing', size: '1001-5000', name: 'ACME' }
        : undefined
    expect(
      companyView({ domain: 'acme.com', name: 'Acme Corp' }, undefined, firmographics).traits,
    ).toEqual({
      domain: 'acme.com',
      name: 'Acme Corp',
      industry: 'Manufacturing',
      size: '1001-5000',
    })
    expect(companyView(undefined, acme, firmographics).traits).toMatchObject({
      industry: 'Software',
      size: '1001-5000',
    })
  })

  it('never copies a prototype key', () => {
    const extra = JSON.parse('{"__proto__": {"polluted": true}, "x": 1}') as Record<string, never>
    const out = fillMissing({}, extra)
    expect(out).toEqual({ x: 1 })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})

describe('the company ranges file', () => {
  const file = `
companies:
  - domain: https://www.Acme.com
    name: Acme
    traits: { industry: Software, employee_count: 5000 }
    ranges: [198.51.100.0/24, 2001:db8:ac::/48]
  - domain: globex.com
    ranges: [198.51.0.0/16]
`
  it('maps IPv4 and IPv6 networks to companies with normalised traits, most specific first', () => {
    const table = parseCompanyRanges(file, 'ranges.yaml')
    const at = (text: string) => table.get(parseIp(text) ?? { version: 4, value: 0 })
    expect(at('198.51.100.20')).toEqual({
      domain: 'acme.com',
      traits: { industry: 'Software', employeeCount: 5000, name: 'Acme', domain: 'acme.com' },
      source: 'ranges',
    })
    expect(at('2001:db8:ac::9')?.domain).toBe('acme.com')
    expect(at('198.51.3.1')?.domain).toBe('globex.com')
    expect(at('203.0.113.1')).toBeUndefined()
  })

  it('names every bad entry by its path', () => {
    const bad = `
companies:
  - domain: not a domain
    ranges: [10.0.0.0/8]
  - domain: acme.com
    traits: { employeeCount: lots }
    ranges: [10.1.2.3/8, 2001:db8::/129]
  - domain: globex.com
    ranges: []
`
    let error: unknown
    try {
      parseCompanyRanges(bad, 'ranges.yaml')
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(CompanyRangesError)
    expect((error as CompanyRangesError).issues).toEqual([
      'companies[2].ranges: list at least one network',
    ])
    const second = bad.replace('ranges: []', 'ranges: [192.0.2.0/24]')
    expect(() => parseCompanyRanges(second, 'ranges.yaml')).toThrow(CompanyRangesError)
    try {
      parseCompanyRanges(second, 'ranges.yaml')
    } catch (caught) {
      expect((caught as CompanyRangesError).issues).toEqual([
        'companies[0].domain: "not a domain" is not a domain like acme.com',
        expect.stringContaining('companies[1].traits.employeeCount'),
        'companies[1].ranges[0]: "10.1.2.3/8" has host bits set below /8',
        'companies[1].ranges[1]: "2001:db8::/129": the prefix length must be a whole number from 0 to 128',
      ])
    }
  })

  it('refuses a file that is not YAML', () => {
    expect(() => parseCompanyRanges('companies: [', 'ranges.yaml')).toThrow(/syntax/)
  })
})
