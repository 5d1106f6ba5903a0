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
  const result = personalizationConfigSchema.safeParse(document ?? {}, { error: configErrorMap })
  if (!result.success) {
    throw new PersonalizationConfigError(file, result.error.issues.map(describeIssue))
  }
  return result.data
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

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = formatPath(issue.path)
  return `${where === '' ? '(top level)' : where}: ${issue.message}`
}
