/** A `.tpl` parsed into the parts the harness runs: info, parameters, code, permissions, tests. */
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import { readPolicy, type Policy } from './permissions.ts'
import { sectionBody, splitSections, type TplSection } from './tpl-file.ts'

const testsSchema = z.object({
  scenarios: z.array(z.object({ name: z.string().min(1), code: z.string() })),
  setup: z.string().optional(),
})

/** The `___TESTS___` section: scenarios, each run with `setup` prepended. */
export type TemplateTests = z.infer<typeof testsSchema>

/** A parsed web tag template. */
export interface TemplateModel {
  sections: TplSection[]
  info: Record<string, unknown>
  parameters: unknown[]
  code: string
  permissions: unknown[]
  policy: Policy
  tests: TemplateTests
}

/** Parses a `.tpl`; throws naming the section whose JSON or YAML is malformed. */
export function readTemplate(text: string): TemplateModel {
  const sections = splitSections(text)
  const json = (name: string): unknown => {
    try {
      return JSON.parse(sectionBody(sections, name)) as unknown
    } catch (error) {
      throw new Error(`___${name}___ is not valid JSON: ${(error as Error).message}`, {
        cause: error,
      })
    }
  }
  const info = json('INFO')
  const parameters = json('TEMPLATE_PARAMETERS')
  const permissions = json('WEB_PERMISSIONS')
  if (typeof info !== 'object' || info === null || Array.isArray(info)) {
    throw new Error('___INFO___ must be a JSON object')
  }
  if (!Array.isArray(parameters)) throw new Error('___TEMPLATE_PARAMETERS___ must be a JSON array')
  if (!Array.isArray(permissions)) throw new Error('___WEB_PERMISSIONS___ must be a JSON array')
  const tests = testsSchema.safeParse(parseYaml(sectionBody(sections, 'TESTS')))
  if (!tests.success) {
    throw new Error(`___TESTS___ is not a scenarios/setup document: ${tests.error.message}`)
  }
  return {
    sections,
    info: info as Record<string, unknown>,
    parameters: parameters as unknown[],
    code: sectionBody(sections, 'SANDBOXED_JS_FOR_WEB_TEMPLATE'),
    permissions: permissions as unknown[],
    policy: readPolicy(permissions),
    tests: tests.data,
  }
}
