import type { Json, JsonObject } from '../traits/json.ts'

/** The device classes a rule can ask for (`device.type`). */
export type DeviceType = 'mobile' | 'tablet' | 'desktop'

/** What rules and templates read, per request. Built once per request by `buildContext`. */
export interface EvalContext {
  /** The user's traits (reserved and custom), as stored. */
  user: JsonObject
  /** The company account's traits; `{}` without an account. */
  company: JsonObject
  visitor: {
    known: boolean
    pageViews: number
    sessions: number
    events: number
    conversions: number
    firstSeen: string
    lastSeen: string
    daysSinceFirstSeen: number
    daysSinceLastSeen: number
    visitedPaths: string[]
    /** From the request's address when enrichment is on (ISO 3166-1 alpha-2). */
    country?: string
    /** The country's subdivision, where the geo data has one. */
    region?: string
    /** The network (autonomous system) the address belongs to. */
    network?: { asn: number; org: string }
    /** Where `company.*` came from: `declared` (an account) or `inferred` (the address). */
    companySource?: 'declared' | 'inferred'
  }
  page: {
    url?: string
    path?: string
    host?: string
    referrer?: string
    title?: string
    query: Record<string, string>
    utm: Record<string, string>
  }
  device: { type: DeviceType }
}

/** A compiled read of one attribute path, e.g. `company.employeeCount`. */
export type Accessor = (ctx: EvalContext) => Json | undefined

/**
 * The attributes each root offers; `*` means any key below it (traits, query parameters). The
 * console's segment builder offers these (`console/editor/attribute-kinds.ts`).
 */
export const attributeCatalogue: Readonly<Record<string, readonly string[] | '*'>> = {
  user: '*',
  company: '*',
  visitor: [
    'known',
    'pageViews',
    'sessions',
    'events',
    'conversions',
    'firstSeen',
    'lastSeen',
    'daysSinceFirstSeen',
    'daysSinceLastSeen',
    'visitedPaths',
    'country',
    'region',
    'network.asn',
    'network.org',
    'companySource',
  ],
  page: ['url', 'path', 'host', 'referrer', 'title', 'query.*', 'utm.*'],
  device: ['type'],
}

/**
 * Checks an attribute path against what the context offers and returns why it is wrong, or
 * `undefined` when it is fine. A typo (`visitor.pageview`) is a config error, not a rule that
 * silently never matches.
 */
export function attributeProblem(path: string): string | undefined {
  const [root, ...rest] = path.split('.')
  const roots = Object.keys(attributeCatalogue)
  const allowed = root === undefined ? undefined : attributeCatalogue[root]
  if (allowed === undefined || !Object.hasOwn(attributeCatalogue, root ?? '')) {
    return `unknown attribute "${path}": it must start with ${roots.map((r) => `${r}.`).join(', ')}`
  }
  if (rest.length === 0 || rest.some((key) => key === '')) {
    return `unknown attribute "${path}": name a field, e.g. ${root}.${allowed === '*' ? 'name' : allowed[0]}`
  }
  if (allowed === '*') return undefined
  const field = rest.join('.')
  const ok = allowed.some((name) =>
    name.endsWith('.*') ? rest.length === 2 && rest[0] === name.slice(0, -2) : name === field,
  )
  return ok
    ? undefined
    : `unknown attribute "${path}": ${root}.* offers ${allowed.map((name) => `${root}.${name}`).join(', ')}`
}

/** Compiles a (checked) attribute path into a function reading it from a context. */
export function compileAccessor(path: string): Accessor {
  const keys = path.split('.')
  return (ctx) => {
    let value: unknown = ctx
    for (const key of keys) {
      if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) {
        return undefined
      }
      value = (value as Record<string, unknown>)[key]
    }
    return value as Json | undefined
  }
}
