import { describe, expect, it } from 'vitest'
import { runTemplateTests } from '../gtm-harness/run-template-tests.ts'
import { templateFiles } from './read-template.ts'

const report = runTemplateTests(templateFiles.tpl)

describe('gtm-template/template.tpl ___TESTS___ in the Node harness', () => {
  it('has scenarios for every path the issue lists', () => {
    const names = report.scenarios.map((scenario) => scenario.name).join('\n')
    for (const path of [
      'missing user id',
      'consent denied',
      'client already loaded',
      'client not loaded',
      'script load failure',
      'merge',
      'page:',
      'identify:',
      'track:',
    ]) {
      expect(names).toContain(path)
    }
  })

  it('uses only syntax the GTM sandbox runs, in the code and in the tests', () => {
    expect(report.problems).toEqual([])
  })

  it.each(report.scenarios.map((scenario) => [scenario.name, scenario.error] as const))(
    'passes scenario: %s',
    (_name, error) => {
      expect(error).toBeUndefined()
    },
  )
})
