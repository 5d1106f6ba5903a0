/**
 * The `___WEB_PERMISSIONS___` section as a policy the fake APIs consult on every call. Only the
 * permissions this repo's template can use are understood in detail; any other declared one is
 * known by name only.
 */
import { matchesUrlPattern } from './url-pattern.ts'

/** Access flags of one `access_globals` key. */
export interface GlobalAccess {
  read: boolean
  write: boolean
  execute: boolean
}

/** What a template was granted. */
export interface Policy {
  /** Every declared permission id (`publicId`). */
  declared: Set<string>
  injectScriptUrls: string[]
  globals: Map<string, GlobalAccess>
  consentRead: Set<string>
  consentWrite: Set<string>
  /** `debug` or `all`, when `logging` is declared. */
  loggingEnvironments: string | undefined
}

/** A permission instance as exported: a typed value tree per parameter. */
interface PermissionEntry {
  instance?: { key?: { publicId?: unknown }; param?: { key?: unknown; value?: unknown }[] }
}

/** Decodes GTM's typed values: 1 string, 2 list, 3 map, 8 boolean. */
export function decodeValue(value: unknown): unknown {
  if (typeof value !== 'object' || value === null)
    throw new Error('permission value is not an object')
  const typed = value as Record<string, unknown>
  switch (typed.type) {
    case 1:
      return typed.string
    case 2:
      return asArray(typed.listItem).map(decodeValue)
    case 3: {
      const keys = asArray(typed.mapKey).map(decodeValue)
      const values = asArray(typed.mapValue).map(decodeValue)
      return Object.fromEntries(keys.map((key, i) => [String(key), values[i]]))
    }
    case 8:
      return typed.boolean
    default:
      throw new Error(`unknown permission value type ${String(typed.type)}`)
  }
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : []
}

/** Builds the policy from the parsed `___WEB_PERMISSIONS___` JSON; throws on a malformed entry. */
export function readPolicy(permissions: unknown): Policy {
  if (!Array.isArray(permissions)) throw new Error('___WEB_PERMISSIONS___ must be a JSON array')
  const policy: Policy = {
    declared: new Set(),
    injectScriptUrls: [],
    globals: new Map(),
    consentRead: new Set(),
    consentWrite: new Set(),
    loggingEnvironments: undefined,
  }
  for (const entry of permissions as PermissionEntry[]) {
    const id = entry.instance?.key?.publicId
    if (typeof id !== 'string') throw new Error('a permission has no instance.key.publicId')
    policy.declared.add(id)
    const params = new Map(
      (entry.instance?.param ?? []).map((param) => [String(param.key), decodeValue(param.value)]),
    )
    if (id === 'inject_script') {
      policy.injectScriptUrls.push(...strings(params.get('urls')))
    } else if (id === 'access_globals') {
      for (const item of records(params.get('keys'))) {
        policy.globals.set(String(item.key), {
          read: item.read === true,
          write: item.write === true,
          execute: item.execute === true,
        })
      }
    } else if (id === 'access_consent') {
      for (const item of records(params.get('consentTypes'))) {
        if (item.read === true) policy.consentRead.add(String(item.consentType))
        if (item.write === true) policy.consentWrite.add(String(item.consentType))
      }
    } else if (id === 'logging') {
      const environments = params.get('environments')
      policy.loggingEnvironments = typeof environments === 'string' ? environments : undefined
    }
  }
  return policy
}

function strings(value: unknown): string[] {
  return asArray(value).map(String)
}

function records(value: unknown): Record<string, unknown>[] {
  return asArray(value).filter(
    (item): item is Record<string, unknown> => typeof item === 'object' && item !== null,
  )
}

/**
 * Why the policy refuses a call, or `undefined` when it allows it. The arguments follow
 * `queryPermission`: `('inject_script', url)`, `('access_globals', 'read'|'write'|'readwrite'|'execute', key)`,
 * `('access_consent', consentType, 'read'|'write')`, `('logging')`.
 */
export function refusal(policy: Policy, id: string, args: readonly unknown[]): string | undefined {
  if (!policy.declared.has(id)) return `permission ${id} is not declared in ___WEB_PERMISSIONS___`
  switch (id) {
    case 'inject_script': {
      const url = String(args[0])
      return policy.injectScriptUrls.some((pattern) => matchesUrlPattern(pattern, url))
        ? undefined
        : `inject_script does not allow ${url} (allowed: ${policy.injectScriptUrls.join(', ')})`
    }
    case 'access_globals': {
      const mode = String(args[0])
      const key = String(args[1])
      const access = policy.globals.get(key)
      const needs = mode === 'readwrite' ? ['read', 'write'] : [mode]
      const missing = needs.filter((need) => access?.[need as keyof GlobalAccess] !== true)
      return missing.length === 0
        ? undefined
        : `access_globals does not grant ${missing.join('+')} on ${key}`
    }
    case 'access_consent': {
      const type = String(args[0])
      const mode = args[1] === 'write' ? 'write' : 'read'
      const granted = mode === 'write' ? policy.consentWrite : policy.consentRead
      return granted.has(type) ? undefined : `access_consent does not grant ${mode} on ${type}`
    }
    default:
      return undefined
  }
}
