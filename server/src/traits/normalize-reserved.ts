import { normalizeDomain } from '../accounts/normalize-domain.ts'
import { maxIdLength } from '../identity/junk-ids.ts'
import type { Warning } from '../pipeline/warnings.ts'
import { isJsonObject, isSafeKey, type Json, type JsonObject } from './json.ts'

/** What a reserved trait must be; `undefined` from `normalize` means "wrong type, dropped". */
interface ReservedRule {
  expected: string
  normalize: (value: Json) => Json | undefined
}

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

const text: ReservedRule = {
  expected: 'a string',
  normalize: (value) => (typeof value === 'string' ? value.trim() : undefined),
}

const email: ReservedRule = {
  expected: 'an email address',
  normalize: (value) => {
    if (typeof value !== 'string') return undefined
    const normalized = value.trim().toLowerCase()
    return normalized.length <= 254 && emailPattern.test(normalized) ? normalized : undefined
  },
}

const date: ReservedRule = {
  expected: 'an ISO 8601 date or a Unix time',
  normalize: (value) => {
    let ms: number
    // Numbers below 1e11 are read as seconds: no real date in milliseconds is that small.
    if (typeof value === 'number') ms = Math.abs(value) < 1e11 ? value * 1000 : value
    else if (typeof value === 'string') ms = Date.parse(value)
    else return undefined
    const date = new Date(ms)
    return Number.isFinite(date.getTime()) ? date.toISOString() : undefined
  },
}

const companyId: ReservedRule = {
  expected: 'a non-empty string or number',
  normalize: (value) => {
    if (typeof value === 'number' && Number.isFinite(value)) return String(value)
    if (typeof value !== 'string') return undefined
    const trimmed = value.trim()
    return trimmed !== '' && trimmed.length <= maxIdLength ? trimmed : undefined
  },
}

const domain: ReservedRule = {
  expected: 'a domain name',
  normalize: (value) => (typeof value === 'string' ? normalizeDomain(value) : undefined),
}

const count: ReservedRule = {
  expected: 'an integer >= 0',
  normalize: (value) =>
    typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined,
}

const amount: ReservedRule = {
  expected: 'a number >= 0',
  normalize: (value) =>
    typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined,
}

const userRules: Record<string, ReservedRule> = {
  email,
  name: text,
  firstName: text,
  lastName: text,
  title: text,
  phone: text,
  createdAt: date,
  username: text,
  avatar: text,
  website: text,
}

const companyRules: Record<string, ReservedRule> = {
  id: companyId,
  name: text,
  domain,
  industry: text,
  employeeCount: count,
  annualRevenue: amount,
  plan: text,
  createdAt: date,
}

const userSpellings: Record<string, string> = {
  first_name: 'firstName',
  last_name: 'lastName',
  created_at: 'createdAt',
}

const companySpellings: Record<string, string> = {
  employee_count: 'employeeCount',
  employees: 'employeeCount',
  annual_revenue: 'annualRevenue',
  created_at: 'createdAt',
}

/** Traits split into the user's own and the company's, reserved ones in their one stored form. */
export interface NormalizedTraits {
  user: JsonObject
  /** Company traits; `null` when the call said `company: null` (leave the account). */
  company: JsonObject | null | undefined
  warnings: Warning[]
}

/**
 * Normalises reserved traits (SPEC section 5): snake_case to camelCase, emails trimmed and
 * lower-cased, domains bare. A reserved trait of the wrong type is dropped with a warning and the
 * rest is kept; `null` always passes, because it deletes.
 */
export function normalizeTraits(traits: JsonObject, path = 'traits'): NormalizedTraits {
  const warnings: Warning[] = []
  const { company: rawCompany, ...rest } = traits
  const user = normalizeObject(rest, userRules, userSpellings, path, warnings)
  let company: JsonObject | null | undefined
  if (rawCompany === null) company = null
  else if (isJsonObject(rawCompany)) {
    company = normalizeObject(
      rawCompany,
      companyRules,
      companySpellings,
      `${path}.company`,
      warnings,
    )
  } else if (rawCompany !== undefined) {
    warnings.push(wrongType(`${path}.company`, 'an object'))
  }
  return { user, company, warnings }
}

/** Company traits from a `group` call, under the same rules as `traits.company`. */
export function normalizeCompanyTraits(traits: JsonObject, path: string): NormalizedTraits {
  const warnings: Warning[] = []
  const company = normalizeObject(traits, companyRules, companySpellings, path, warnings)
  return { user: {}, company, warnings }
}

function normalizeObject(
  input: JsonObject,
  rules: Record<string, ReservedRule>,
  spellings: Record<string, string>,
  path: string,
  warnings: Warning[],
): JsonObject {
  const out: JsonObject = {}
  for (const [rawKey, value] of Object.entries(input)) {
    if (!isSafeKey(rawKey)) continue
    const alias = Object.hasOwn(spellings, rawKey) ? spellings[rawKey] : undefined
    if (alias !== undefined && Object.hasOwn(input, alias)) continue // the camelCase spelling wins
    const key = alias ?? rawKey
    const rule = Object.hasOwn(rules, key) ? rules[key] : undefined
    if (rule === undefined || value === null) {
      out[key] = value
      continue
    }
    const normalized = rule.normalize(value)
    if (normalized === undefined) warnings.push(wrongType(`${path}.${rawKey}`, rule.expected))
    else out[key] = normalized
  }
  return out
}

function wrongType(path: string, expected: string): Warning {
  return {
    code: 'invalid_reserved_trait',
    message: `${path} must be ${expected}; the trait was dropped and the rest of the call kept`,
    path,
  }
}
