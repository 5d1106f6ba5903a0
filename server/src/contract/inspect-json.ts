import { AppError } from '../errors/app-error.ts'
import type { Warning } from '../pipeline/warnings.ts'
import { isSafeKey, type Json, type JsonObject } from '../traits/json.ts'
import { limits } from './limits.ts'

/** Appends a key to a display path: `traits.email`, `batch[3]`. */
export function joinPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`
  return path === '' ? key : `${path}.${key}`
}

/**
 * Checks a parsed body before any field is read: nesting no deeper than `maxDepth` and at most
 * `maxKeys` keys, else a 400 naming the path. Returns the body without the keys `__proto__`,
 * `constructor` and `prototype` (one warning each), so none can reach a merge: the body itself
 * when it holds none (the common case: nothing is copied), else a copy without them.
 */
export function inspectJson(
  value: unknown,
  options: { path: string; maxDepth?: number; maxKeys?: number },
): { value: Json; warnings: Warning[] } {
  const state = {
    keys: 0,
    maxKeys: options.maxKeys ?? limits.keysPerCall,
    maxDepth: options.maxDepth ?? limits.bodyDepth,
    warnings: [] as Warning[],
  }
  const json = value as Json
  if (!hasForbiddenKey(json, [options.path], 1, state)) return { value: json, warnings: [] }
  state.keys = 0
  return { value: copy(json, options.path, 1, state), warnings: state.warnings }
}

/** Throws `too_deep` when an object nests deeper than `maxDepth` levels (the object itself is 1). */
export function assertDepth(value: Json, path: string, maxDepth: number): void {
  deepest(value, [path], 1, maxDepth)
}

/** Walks `value` without building a path unless it must name one in the error. */
function deepest(value: Json, path: (string | number)[], depth: number, maxDepth: number): void {
  if (value === null || typeof value !== 'object') return
  if (depth > maxDepth) throw tooDeep(pathText(path), maxDepth)
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) {
      path.push(index)
      deepest(value[index] as Json, path, depth + 1, maxDepth)
      path.pop()
    }
    return
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue
    path.push(key)
    deepest(value[key] as Json, path, depth + 1, maxDepth)
    path.pop()
  }
}

interface State {
  keys: number
  maxKeys: number
  maxDepth: number
  warnings: Warning[]
}

/**
 * Walks the body for the limits and for a forbidden key, building no path string unless it must
 * name one in an error (`path` is the chain of keys so far).
 */
function hasForbiddenKey(
  value: Json,
  path: (string | number)[],
  depth: number,
  state: State,
): boolean {
  if (value === null || typeof value !== 'object') return false
  if (depth > state.maxDepth) throw tooDeep(pathText(path), state.maxDepth)
  let found = false
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) {
      path.push(index)
      found = hasForbiddenKey(value[index] as Json, path, depth + 1, state) || found
      path.pop()
    }
    return found
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue
    path.push(key)
    state.keys += 1
    if (state.keys > state.maxKeys) {
      throw new AppError('too_many_keys', `A call may hold at most ${state.maxKeys} keys`, {
        path: pathText(path),
      })
    }
    if (!isSafeKey(key)) found = true
    found = hasForbiddenKey(value[key] as Json, path, depth + 1, state) || found
    path.pop()
  }
  return found
}

function pathText(path: readonly (string | number)[]): string {
  let text = ''
  for (const key of path) text = joinPath(text, key)
  return text
}

function copy(value: Json, path: string, depth: number, state: State): Json {
  if (value === null || typeof value !== 'object') return value
  if (depth > state.maxDepth) throw tooDeep(path, state.maxDepth)
  if (Array.isArray(value))
    return value.map((item, index) => copy(item, joinPath(path, index), depth + 1, state))
  const out: JsonObject = {}
  for (const [key, child] of Object.entries(value)) {
    state.keys += 1
    if (state.keys > state.maxKeys) {
      throw new AppError('too_many_keys', `A call may hold at most ${state.maxKeys} keys`, {
        path: joinPath(path, key),
      })
    }
    const childPath = joinPath(path, key)
    if (!isSafeKey(key)) {
      state.warnings.push({
        code: 'forbidden_key',
        message: `The key ${JSON.stringify(key)} is never stored; it was removed`,
        path: childPath,
      })
      continue
    }
    out[key] = copy(child, childPath, depth + 1, state)
  }
  return out
}

function tooDeep(path: string, maxDepth: number): AppError {
  return new AppError('too_deep', `Objects may nest at most ${maxDepth} levels deep`, { path })
}
