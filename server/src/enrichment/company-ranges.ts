import { readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import { normalizeDomain } from '../accounts/normalize-domain.ts'
import { formatPath } from '../personalization/load-config.ts'
import { normalizeCompanyTraits } from '../traits/normalize-reserved.ts'
import { isJsonObject, type JsonObject } from '../traits/json.ts'
import type { InferredCompany } from './enrichment.ts'
import { parseCidr, PrefixTable } from './prefix-table.ts'

/** A ranges file that cannot be used; `issues` name each problem by its path. */
export class CompanyRangesError extends Error {
  override name = 'CompanyRangesError'
  readonly issues: string[]

  constructor(file: string, issues: string[]) {
    super(`${file} is not a valid company ranges file:\n  ${issues.join('\n  ')}`)
    this.issues = issues
  }
}

const traitsSchema = z.custom<JsonObject>(isJsonObject, { message: 'expected an object' })

const rangesFileSchema = z.object({
  companies: z
    .array(
      z.object({
        domain: z.string().min(1),
        name: z.string().min(1).optional(),
        traits: traitsSchema.optional(),
        ranges: z.array(z.string()).min(1, 'list at least one network'),
      }),
    )
    .max(100_000),
})

/**
 * Reads the operator's ranges file (YAML or JSON): companies with their office or VPN networks,
 *
 *   companies:
 *     - domain: acme.com
 *       name: Acme
 *       traits: { industry: Software, employeeCount: 5000 }
 *       ranges: [198.51.100.0/24, 2001:db8:ac::/48]
 *
 * into a longest-prefix table. Throws `CompanyRangesError` naming every bad entry by its path.
 */
export function readCompanyRanges(file: string): PrefixTable<InferredCompany> {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new CompanyRangesError(file, [`cannot read the file: ${(error as Error).message}`])
  }
  return parseCompanyRanges(text, file)
}

/** Parses a ranges file's text; see `readCompanyRanges`. */
export function parseCompanyRanges(text: string, file: string): PrefixTable<InferredCompany> {
  let document: unknown
  try {
    document = parseYaml(text, { maxAliasCount: 100 })
  } catch (error) {
    throw new CompanyRangesError(file, [`syntax: ${(error as Error).message.split('\n', 1)[0]}`])
  }
  const parsed = rangesFileSchema.safeParse(document ?? {})
  if (!parsed.success) {
    throw new CompanyRangesError(
      file,
      parsed.error.issues.map(
        (issue) => `${formatPath(issue.path) || '(top level)'}: ${issue.message}`,
      ),
    )
  }
  const issues: string[] = []
  const table = new PrefixTable<InferredCompany>()
  parsed.data.companies.forEach((entry, index) => {
    const domain = normalizeDomain(entry.domain)
    if (domain === undefined) {
      issues.push(`companies[${index}].domain: "${entry.domain}" is not a domain like acme.com`)
      return
    }
    const normalized = normalizeCompanyTraits(
      {
        ...(entry.traits ?? {}),
        ...(entry.name === undefined ? {} : { name: entry.name }),
        domain,
      },
      `companies[${index}].traits`,
    )
    for (const warning of normalized.warnings) issues.push(`${warning.path}: ${warning.message}`)
    const traits = normalized.company ?? { domain }
    const company: InferredCompany = Object.freeze({ domain, traits, source: 'ranges' })
    entry.ranges.forEach((range, r) => {
      const cidr = parseCidr(range)
      if (typeof cidr === 'string') issues.push(`companies[${index}].ranges[${r}]: ${cidr}`)
      else table.add(cidr, company)
    })
  })
  if (issues.length > 0) throw new CompanyRangesError(file, issues)
  return table
}
