/** A JSON value as it arrives in a request body. */
export type Json = null | boolean | number | string | Json[] | JsonObject
export interface JsonObject {
  [key: string]: Json
}

/** True for `{...}` values (not arrays, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

const forbiddenKeys = new Set(['__proto__', 'constructor', 'prototype'])

/**
 * Keys that could reach an object's prototype chain when copied. They are stripped at the edge
 * and skipped again by every merge, so no code path can write them.
 */
export function isSafeKey(key: string): boolean {
  return !forbiddenKeys.has(key)
}
