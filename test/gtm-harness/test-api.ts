/**
 * GTM's template test API (`mock`, `mockObject`, `assertApi`, `assertThat`, `fail`) over one
 * scenario's state, with the documented matchers.
 */
import type { SandboxState } from './fake-apis.ts'
import { deepEqual, getType, show, text } from './sandbox-values.ts'

/** A failed assertion or `fail()`: the scenario fails with this message. */
export class AssertionFailure extends Error {
  override name = 'AssertionFailure'
}

function check(condition: boolean, message: string, note: string | undefined): void {
  if (!condition) throw new AssertionFailure(note === undefined ? message : `${note}: ${message}`)
}

/** `mock(name, fnOrValue)`: a function replaces the API; any other value becomes its result. */
export function mockFor(state: SandboxState) {
  return (name: unknown, valueOrFn: unknown): void => {
    state.mocks.set(
      String(name),
      typeof valueOrFn === 'function'
        ? { kind: 'function', fn: valueOrFn as (...args: unknown[]) => unknown }
        : { kind: 'value', value: valueOrFn },
    )
  }
}

/** `mockObject(name, object)` for object APIs such as `JSON` or `templateStorage`. */
export function mockObjectFor(state: SandboxState) {
  return (name: unknown, value: unknown): void => {
    state.mocks.set(String(name), { kind: 'object', value })
  }
}

/** `assertApi(name)`: checks the calls recorded for an API, `gtmOnSuccess` and `gtmOnFailure`. */
export function assertApiFor(state: SandboxState) {
  return (name: unknown) => {
    const api = String(name)
    const calls = () => state.calls.get(api) ?? []
    const calledWith = (args: unknown[]) => calls().some((call) => deepEqual(call, args))
    const seen = () =>
      calls()
        .map((call) => show(call))
        .join('; ') || 'no calls'
    return {
      wasCalled: () => check(calls().length > 0, `expected ${api} to be called`, undefined),
      wasNotCalled: () =>
        check(calls().length === 0, `expected ${api} not to be called, got ${seen()}`, undefined),
      wasCalledWith: (...args: unknown[]) =>
        check(
          calledWith(args),
          `expected ${api} to be called with ${show(args)}, got ${seen()}`,
          undefined,
        ),
      wasNotCalledWith: (...args: unknown[]) =>
        check(!calledWith(args), `expected ${api} not to be called with ${show(args)}`, undefined),
    }
  }
}

/** `assertThat(actual, note?)` with GTM's documented matchers. */
export function assertThat(actual: unknown, note?: unknown) {
  const label = note === undefined ? undefined : text(note)
  const is = (condition: boolean, expectation: string) =>
    check(condition, `expected ${show(actual)} ${expectation}`, label)
  const size = (): number | undefined =>
    typeof actual === 'string' || Array.isArray(actual) ? actual.length : undefined
  const contains = (item: unknown): boolean =>
    typeof actual === 'string'
      ? actual.includes(String(item))
      : Array.isArray(actual) && actual.some((element) => deepEqual(element, item))
  return {
    isEqualTo: (expected: unknown) => is(deepEqual(actual, expected), `to equal ${show(expected)}`),
    isNotEqualTo: (expected: unknown) =>
      is(!deepEqual(actual, expected), `not to equal ${show(expected)}`),
    isStrictlyEqualTo: (expected: unknown) =>
      is(actual === expected, `to be === ${show(expected)}`),
    isNotStrictlyEqualTo: (expected: unknown) =>
      is(actual !== expected, `not to be === ${show(expected)}`),
    isAnyOf: (...options: unknown[]) =>
      is(
        options.some((option) => deepEqual(actual, option)),
        `to be any of ${show(options)}`,
      ),
    isNoneOf: (...options: unknown[]) =>
      is(!options.some((option) => deepEqual(actual, option)), `to be none of ${show(options)}`),
    isTrue: () => is(actual === true, 'to be true'),
    isFalse: () => is(actual === false, 'to be false'),
    isTruthy: () => is(Boolean(actual), 'to be truthy'),
    isFalsy: () => is(!actual, 'to be falsy'),
    isNull: () => is(actual === null, 'to be null'),
    isNotNull: () => is(actual !== null, 'not to be null'),
    isUndefined: () => is(actual === undefined, 'to be undefined'),
    isDefined: () => is(actual !== undefined, 'to be defined'),
    isNaN: () => is(typeof actual === 'number' && Number.isNaN(actual), 'to be NaN'),
    isNotNaN: () => is(!(typeof actual === 'number' && Number.isNaN(actual)), 'not to be NaN'),
    isInfinity: () => is(actual === Infinity || actual === -Infinity, 'to be infinite'),
    isNotInfinity: () => is(actual !== Infinity && actual !== -Infinity, 'not to be infinite'),
    isGreaterThan: (n: number) => is((actual as number) > n, `to be > ${n}`),
    isGreaterThanOrEqualTo: (n: number) => is((actual as number) >= n, `to be >= ${n}`),
    isLessThan: (n: number) => is((actual as number) < n, `to be < ${n}`),
    isLessThanOrEqualTo: (n: number) => is((actual as number) <= n, `to be <= ${n}`),
    contains: (...items: unknown[]) => is(items.every(contains), `to contain ${show(items)}`),
    doesNotContain: (...items: unknown[]) =>
      is(!items.some(contains), `not to contain ${show(items)}`),
    containsExactly: (...items: unknown[]) =>
      is(
        Array.isArray(actual) &&
          actual.length === items.length &&
          items.every((item) => contains(item)),
        `to contain exactly ${show(items)}`,
      ),
    hasLength: (n: number) => is(size() === n, `to have length ${n}`),
    isEmpty: () =>
      is(
        size() === 0 ||
          (getType(actual) === 'object' && Object.keys(actual as object).length === 0),
        'to be empty',
      ),
    isNotEmpty: () =>
      is(
        (size() ?? 0) > 0 ||
          (getType(actual) === 'object' && Object.keys(actual as object).length > 0),
        'not to be empty',
      ),
    isArray: () => is(getType(actual) === 'array', 'to be an array'),
    isBoolean: () => is(getType(actual) === 'boolean', 'to be a boolean'),
    isFunction: () => is(getType(actual) === 'function', 'to be a function'),
    isNumber: () => is(getType(actual) === 'number', 'to be a number'),
    isObject: () => is(getType(actual) === 'object', 'to be an object'),
    isString: () => is(getType(actual) === 'string', 'to be a string'),
  }
}

/** `fail(message?)`: fails the scenario at once. */
export function fail(message?: unknown): never {
  throw new AssertionFailure(message === undefined ? 'fail() called' : text(message))
}
