import { readFileSync } from 'node:fs'
import { parse as parseYaml, YAMLParseError } from 'yaml'
import type { z } from 'zod'
import {
  configErrorMap,
  personalizationConfigSchema,
  type PersonalizationConfig,
} from './config-schema.ts'

/** A personalisation file that cannot be used; `issues` name each problem by its path. */
export class PersonalizationConfigError extends Error {
  override name = 'PersonalizationConfigError'
  readonly issues: string[]

  constructor(file: string, issues: string[]) {
    super(`${file} is not a valid personalisation config:\n  ${issues.join('\n  ')}`)
    this.issues = issues
  }
}

/**
 * Parses and validates a personalisation file's text (YAML, or JSON, which YAML reads too).
 * Throws a `PersonalizationConfigError` whose issues read
 * `experiences[2].variations[0].weight: expected a number`.
 */
export function parsePersonalizationConfig(text: string, file: string): PersonalizationConfig {
  let document: unknown
  try {
    document = parseYaml(text, { prettyErrors: true, maxAliasCount: 100 })
  } catch (error) {
    if (!(error instanceof YAMLParseError)) throw error
    throw new PersonalizationConfigError(file, [`syntax: ${error.message.split('\n', 1)[0]}`])
  }
  const result = validatePersonalizationConfig(document ?? {})
  if (!result.ok) throw new PersonalizationConfigError(file, result.issues.map(describeIssue))
  return result.config
}

/** One problem of a config: where (`experiences[2].variations[0].weight`, and as keys) and what. */
export interface ConfigIssue {
  /** The path as the file's author would point at it; `(top level)` for the document itself. */
  path: string
  /** The same path as keys and indexes, for an editor that walks its own copy. */
  at: (string | number)[]
  message: string
}

/** A checked config: the config with its defaults filled in, or every problem with its path. */
export type ConfigValidation =
  { ok: true; config: PersonalizationConfig } | { ok: false; issues: ConfigIssue[] }

/**
 * Validates a parsed config document (from a file, the console or the store) the one way the
 * loader does: the same messages and paths wherever the config comes from.
 */
export function validatePersonalizationConfig(document: unknown): ConfigValidation {
  const result = personalizationConfigSchema.safeParse(document, { error: configErrorMap })
  if (result.success) return { ok: true, config: result.data }
  return { ok: false, issues: result.error.issues.map(toConfigIssue) }
}

/** A zod issue as a `ConfigIssue`. */
export function toConfigIssue(issue: z.core.$ZodIssue): ConfigIssue {
  const at = issue.path.map((key) => (typeof key === 'number' ? key : String(key)))
  const path = formatPath(at)
  return { path: path === '' ? '(top level)' : path, at, message: issue.message }
}

/** Reads and validates a personalisation file from disk. */
export function readPersonalizationConfig(file: string): PersonalizationConfig {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new PersonalizationConfigError(file, [
      `cannot read the file: ${(error as Error).message}`,
    ])
  }
  return parsePersonalizationConfig(text, file)
}

/** `experiences[2].variations[0].weight`, the way the file's author would point at it. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`
    return out === '' ? String(key) : `${out}.${String(key)}`
  }, '')
}

/** An issue as one line of the loader's report: `path: message`. */
export function describeIssue(issue: ConfigIssue): string {
  return `${issue.path}: ${issue.message}`
}
