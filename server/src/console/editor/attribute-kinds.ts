import { attributeCatalogue } from '../../personalization/attributes.ts'
import { operators, type Operator } from '../../personalization/rule-types.ts'

/*
 * What the segment builder offers: the loader's attributes (`attributeCatalogue`), each with the
 * kind of value it holds, and per kind the operators that make sense for it. Pure: the editor's
 * script and its unit tests share it.
 */

/**
 * The kind of value an attribute holds: text, a number, yes/no, a date, a list of page paths
 * (`visitor.visitedPaths`), or one of a few fixed choices (`device.type`).
 */
export type ValueKind = 'text' | 'number' | 'boolean' | 'date' | 'paths' | 'choice'

/** The kinds a marketer may pick for a trait of their own (`user.viewedPricing`). */
export const customKinds = ['text', 'number', 'boolean', 'date'] as const
export type CustomKind = (typeof customKinds)[number]

/** Operators per kind, in the order the builder lists them. */
export const operatorsByKind: Readonly<Record<ValueKind, readonly Operator[]>> = {
  // Text takes every operator but comparisons of order.
  text: operators.filter((operator) => !['gt', 'gte', 'lt', 'lte'].includes(operator)),
  number: ['equal', 'not_equal', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte', 'exists', 'not_exists'],
  boolean: ['equal', 'not_equal', 'exists', 'not_exists'],
  date: ['gt', 'gte', 'lt', 'lte', 'exists', 'not_exists'],
  paths: [
    'includes',
    'not_includes',
    'starts_with',
    'ends_with',
    'matches',
    'exists',
    'not_exists',
  ],
  choice: ['equal', 'not_equal', 'in', 'not_in', 'exists', 'not_exists'],
}

/** One attribute the builder lists, with its kind (and its choices, for `choice`). */
export interface KnownAttribute {
  attribute: string
  label: string
  kind: ValueKind
  choices?: readonly string[]
}

/**
 * A family of attributes named by the marketer: `prefix` plus a name they type (a trait, a
 * query parameter). Their kind is the marketer's choice among `customKinds`.
 */
export interface OpenAttribute {
  prefix: string
  label: string
}

/** The builder's attributes of one root (`company.*`), as one group of its attribute list. */
export interface AttributeGroup {
  root: string
  label: string
  known: readonly KnownAttribute[]
  open: readonly OpenAttribute[]
}

const known = (
  attribute: string,
  label: string,
  kind: ValueKind,
  choices?: readonly string[],
): KnownAttribute => ({ attribute, label, kind, ...(choices === undefined ? {} : { choices }) })

/** The attribute list of the builder, grouped by root; the unit tests hold it to the loader's. */
export const attributeGroups: readonly AttributeGroup[] = [
  {
    root: 'user',
    label: 'The person (user.*)',
    known: [
      known('user.email', 'email', 'text'),
      known('user.name', 'name', 'text'),
      known('user.firstName', 'first name', 'text'),
      known('user.lastName', 'last name', 'text'),
      known('user.title', 'job title', 'text'),
      known('user.plan', 'plan', 'text'),
      known('user.phone', 'phone', 'text'),
      known('user.username', 'username', 'text'),
      known('user.website', 'website', 'text'),
      known('user.createdAt', 'signed up (date)', 'date'),
    ],
    open: [{ prefix: 'user.', label: 'another user trait…' }],
  },
  {
    root: 'company',
    label: 'Their company (company.*)',
    known: [
      known('company.name', 'name', 'text'),
      known('company.domain', 'domain', 'text'),
      known('company.industry', 'industry', 'text'),
      known('company.employeeCount', 'employees', 'number'),
      known('company.annualRevenue', 'annual revenue', 'number'),
      known('company.plan', 'plan', 'text'),
      known('company.id', 'id', 'text'),
      known('company.createdAt', 'created (date)', 'date'),
    ],
    open: [{ prefix: 'company.', label: 'another company trait…' }],
  },
  {
    root: 'visitor',
    label: 'Their visits (visitor.*)',
    known: [
      known('visitor.known', 'logged in (known)', 'boolean'),
      known('visitor.pageViews', 'page views', 'number'),
      known('visitor.sessions', 'sessions', 'number'),
      known('visitor.events', 'tracked events', 'number'),
      known('visitor.conversions', 'conversions', 'number'),
      known('visitor.firstSeen', 'first seen (date)', 'date'),
      known('visitor.lastSeen', 'last seen (date)', 'date'),
      known('visitor.daysSinceFirstSeen', 'days since first seen', 'number'),
      known('visitor.daysSinceLastSeen', 'days since last seen', 'number'),
      known('visitor.visitedPaths', 'visited paths', 'paths'),
      known('visitor.country', 'country (inferred)', 'text'),
      known('visitor.region', 'region (inferred)', 'text'),
      known('visitor.network.asn', 'network number (inferred)', 'number'),
      known('visitor.network.org', 'network owner (inferred)', 'text'),
      known('visitor.companySource', 'company source', 'choice', ['declared', 'inferred']),
    ],
    open: [],
  },
  {
    root: 'page',
    label: 'The page (page.*)',
    known: [
      known('page.url', 'URL', 'text'),
      known('page.path', 'path', 'text'),
      known('page.host', 'host', 'text'),
      known('page.title', 'title', 'text'),
      known('page.referrer', 'referrer', 'text'),
      known('page.utm.source', 'utm_source', 'text'),
      known('page.utm.medium', 'utm_medium', 'text'),
      known('page.utm.campaign', 'utm_campaign', 'text'),
      known('page.utm.term', 'utm_term', 'text'),
      known('page.utm.content', 'utm_content', 'text'),
    ],
    open: [
      { prefix: 'page.query.', label: 'a query parameter…' },
      { prefix: 'page.utm.', label: 'another UTM parameter…' },
    ],
  },
  {
    root: 'device',
    label: 'The device (device.*)',
    known: [known('device.type', 'type', 'choice', ['desktop', 'mobile', 'tablet'])],
    open: [],
  },
]

const knownByName = new Map(
  attributeGroups.flatMap((group) => group.known.map((item) => [item.attribute, item] as const)),
)
const openFamilies = attributeGroups
  .flatMap((group) => group.open)
  .sort((a, b) => b.prefix.length - a.prefix.length)

/** How the builder shows an attribute: a known one, a family with the typed name, or neither. */
export type AttributeChoice =
  | { type: 'known'; item: KnownAttribute }
  | { type: 'open'; family: OpenAttribute; name: string }
  | { type: 'unknown'; attribute: string }

/** The builder's choice for an attribute path (the longest family prefix wins: `page.utm.`). */
export function attributeChoice(attribute: string): AttributeChoice {
  const item = knownByName.get(attribute)
  if (item !== undefined) return { type: 'known', item }
  const family = openFamilies.find((candidate) => attribute.startsWith(candidate.prefix))
  if (family !== undefined) {
    return { type: 'open', family, name: attribute.slice(family.prefix.length) }
  }
  return { type: 'unknown', attribute }
}

/** The attribute paths the loader accepts, listed without wildcards (for the tests). */
export function loaderAttributes(): { fixed: string[]; families: string[] } {
  const fixed: string[] = []
  const families: string[] = []
  for (const [root, names] of Object.entries(attributeCatalogue)) {
    if (names === '*') {
      families.push(`${root}.`)
      continue
    }
    for (const name of names) {
      if (name.endsWith('.*')) families.push(`${root}.${name.slice(0, -1)}`)
      else fixed.push(`${root}.${name}`)
    }
  }
  return { fixed, families }
}

/**
 * The kind of an attribute's value: fixed for a known attribute; for one of the marketer's own
 * traits, what its current value says (a number, yes/no, a date compared with gt…), else text.
 */
export function kindOf(
  attribute: string,
  operator: string,
  value: unknown,
): { kind: ValueKind; choices?: readonly string[] } {
  const choice = attributeChoice(attribute)
  if (choice.type === 'known') {
    return {
      kind: choice.item.kind,
      ...(choice.item.choices === undefined ? {} : { choices: choice.item.choices }),
    }
  }
  return { kind: inferKind(operator, value) }
}

/** The kind a value of a marketer's own trait suggests. */
export function inferKind(operator: string, value: unknown): CustomKind {
  const first: unknown = Array.isArray(value) ? value[0] : value
  if (typeof first === 'number') return 'number'
  if (typeof first === 'boolean') return 'boolean'
  if (typeof first === 'string' && ['gt', 'gte', 'lt', 'lte'].includes(operator)) return 'date'
  return 'text'
}

/**
 * The operators the builder offers for a kind. An operator the condition already has is kept
 * in the list even when it is unusual for the kind, so opening a rule never changes it.
 */
export function operatorsFor(kind: ValueKind, current?: string): readonly Operator[] {
  const listed = operatorsByKind[kind]
  const kept = operators.find((operator) => operator === current)
  return kept === undefined || listed.includes(kept) ? listed : [...listed, kept]
}
