/**
 * Fakes of the GTM web sandbox APIs that the harness hands to `require`. Every call is recorded
 * for `assertApi`, checked against the template's declared permissions (also when a test mocks
 * the API: stricter than GTM, so a mock cannot hide a URL or key the template may not use), then
 * answered by the test's mock or by the fake.
 */
import { refusal, type Policy } from './permissions.ts'
import { copyValue, getType } from './sandbox-values.ts'

/** What `mock`/`mockObject` installed for one API name. */
export type Mock =
  | { kind: 'function'; fn: (...args: unknown[]) => unknown }
  | { kind: 'value'; value: unknown }
  | { kind: 'object'; value: unknown }

/** The state one scenario runs against; a fresh one per scenario resets mocks and the window. */
export interface SandboxState {
  policy: Policy
  /** The fake page's `window`, as plain data keyed by global name. */
  window: Record<string, unknown>
  calls: Map<string, unknown[][]>
  mocks: Map<string, Mock>
  logs: string[]
}

/** Thrown when a call is outside the declared permissions; it fails the scenario. */
export class PermissionError extends Error {
  override name = 'PermissionError'
}

interface ApiSpec {
  /** The permission the API needs at all; checked when the template requires it. */
  permission?: string
  /** The `queryPermission` argument lists a given call must pass. */
  queries?: (args: unknown[]) => unknown[][]
  impl: (state: SandboxState, args: unknown[]) => unknown
}

const apis: Record<string, ApiSpec> = {
  injectScript: {
    permission: 'inject_script',
    queries: (args) => [[args[0]]],
    // In tests no script ever loads, so neither callback runs unless a mock calls it.
    impl: () => undefined,
  },
  createQueue: {
    permission: 'access_globals',
    queries: (args) => [['readwrite', args[0]]],
    impl: (state, args) => {
      const key = String(args[0])
      if (!Array.isArray(readPath(state.window, key))) writePath(state.window, key, [])
      return (value: unknown) => (readPath(state.window, key) as unknown[]).push(copyValue(value))
    },
  },
  copyFromWindow: {
    permission: 'access_globals',
    queries: (args) => [['read', args[0]]],
    impl: (state, args) => copyValue(readPath(state.window, String(args[0]))),
  },
  setInWindow: {
    permission: 'access_globals',
    queries: (args) => [['write', args[0]]],
    impl: (state, args) => {
      const key = String(args[0])
      if (readPath(state.window, key) !== undefined && args[2] !== true) return false
      writePath(state.window, key, copyValue(args[1]))
      return true
    },
  },
  callInWindow: {
    permission: 'access_globals',
    queries: (args) => [['execute', args[0]]],
    impl: (state, args) => {
      const fn = readPath(state.window, String(args[0]))
      return typeof fn === 'function'
        ? copyValue((fn as (...a: unknown[]) => unknown)(...args.slice(1)))
        : undefined
    },
  },
  isConsentGranted: {
    permission: 'access_consent',
    queries: (args) => [[args[0], 'read']],
    // Unset consent counts as granted, as on a page without a consent banner.
    impl: () => true,
  },
  addConsentListener: {
    permission: 'access_consent',
    queries: (args) => [[args[0], 'read']],
    impl: () => undefined,
  },
  logToConsole: {
    permission: 'logging',
    impl: (state, args) => {
      state.logs.push(
        args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '),
      )
    },
  },
  queryPermission: {
    impl: (state, args) => refusal(state.policy, String(args[0]), args.slice(1)) === undefined,
  },
  getType: { impl: (_state, args) => getType(args[0]) },
  makeString: { impl: (_state, args) => String(args[0]) },
  makeNumber: { impl: (_state, args) => Number(args[0]) },
  makeInteger: { impl: (_state, args) => Math.trunc(Number(args[0])) },
  makeTableMap: {
    impl: (_state, args) => {
      const [rows, keyColumn, valueColumn] = args
      if (!Array.isArray(rows) || rows.length === 0) return null
      const map: Record<string, unknown> = {}
      for (const row of rows as Record<string, unknown>[]) {
        map[String(row[String(keyColumn)])] = row[String(valueColumn)]
      }
      return map
    },
  },
  encodeUriComponent: {
    impl: (_state, args) => {
      try {
        return encodeURIComponent(String(args[0]))
      } catch {
        return undefined
      }
    },
  },
  getTimestampMillis: { impl: () => Date.now() },
}

const objectApis: Record<string, () => unknown> = {
  Object: () => ({
    keys: (value: unknown) => (getType(value) === 'object' ? Object.keys(value as object) : []),
    values: (value: unknown): unknown[] =>
      getType(value) === 'object' ? Object.values(value as object) : [],
    entries: (value: unknown) =>
      getType(value) === 'object' ? Object.entries(value as object) : [],
    freeze: (value: unknown) => (getType(value) === 'object' ? Object.freeze(value) : value),
    delete: (value: unknown, key: unknown) => {
      if (getType(value) !== 'object') return false
      return Reflect.deleteProperty(value as object, String(key))
    },
  }),
  JSON: () => ({
    parse: (text: unknown) => {
      try {
        return JSON.parse(String(text)) as unknown
      } catch {
        return undefined
      }
    },
    stringify: (value: unknown) => {
      try {
        return JSON.stringify(value)
      } catch {
        return undefined
      }
    },
  }),
}

/** Names `require` knows; anything else fails the scenario with a clear message. */
export const knownApis: readonly string[] = [...Object.keys(apis), ...Object.keys(objectApis)]

/**
 * The sandbox's `require` over one state. Requiring an API whose permission is not declared
 * throws at once, as the GTM editor refuses to save such a template.
 */
export function createRequire(state: SandboxState): (name: string) => unknown {
  return (name: string) => {
    const mock = state.mocks.get(name)
    if (name in objectApis) {
      return mock?.kind === 'object' ? mock.value : objectApis[name]?.()
    }
    const spec = apis[name]
    if (spec === undefined)
      throw new Error(`require('${name}'): the harness has no fake for this API`)
    if (spec.permission !== undefined && !state.policy.declared.has(spec.permission)) {
      throw new PermissionError(
        `require('${name}') needs permission ${spec.permission}, which ___WEB_PERMISSIONS___ does not declare`,
      )
    }
    return (...args: unknown[]) => {
      record(state, name, args)
      for (const query of spec.queries?.(args) ?? []) {
        const reason = refusal(state.policy, spec.permission ?? '', query)
        if (reason !== undefined) throw new PermissionError(`${name}(): ${reason}`)
      }
      const current = state.mocks.get(name)
      if (current?.kind === 'function') return current.fn(...args)
      if (current?.kind === 'value') return current.value
      return spec.impl(state, args)
    }
  }
}

/** Records one call for `assertApi`. */
export function record(state: SandboxState, name: string, args: unknown[]): void {
  const list = state.calls.get(name) ?? []
  list.push(args)
  state.calls.set(name, list)
}

function readPath(root: Record<string, unknown>, key: string): unknown {
  let value: unknown = root
  for (const part of key.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined
    value = (value as Record<string, unknown>)[part]
  }
  return value
}

// Like GTM's setInWindow, a dotted key is only written when its parent object exists.
function writePath(root: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.')
  const last = parts.pop() ?? ''
  const parent = parts.length === 0 ? root : readPath(root, parts.join('.'))
  if (typeof parent === 'object' && parent !== null)
    (parent as Record<string, unknown>)[last] = value
}
