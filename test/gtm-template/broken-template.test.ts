import { describe, expect, it } from 'vitest'
import { runTemplateTests } from '../gtm-harness/run-template-tests.ts'
import { readTemplate } from '../gtm-harness/template-model.ts'
import { replaceOnce, withSections } from './edit-template.ts'
import { templateFiles } from './read-template.ts'

const code = readTemplate(templateFiles.tpl).code
const permissions = readTemplate(templateFiles.tpl).sections.find(
  (section) => section.name === 'WEB_PERMISSIONS',
)?.body

/** Deliberately broken copies of the real template: each must make the harness fail. */
const brokenCopies: [string, Record<string, string>][] = [
  [
    'never calls gtmOnSuccess after the client loads',
    {
      SANDBOXED_JS_FOR_WEB_TEMPLATE: replaceOnce(
        code,
        "debug('client loaded from ' + url);\n      onDone();",
        "debug('client loaded from ' + url);",
      ),
    },
  ],
  [
    'calls both gtmOnSuccess and gtmOnFailure on a bad container URL',
    {
      SANDBOXED_JS_FOR_WEB_TEMPLATE: replaceOnce(
        code,
        'if (!containerUrl) {\n',
        'if (!containerUrl) {\n  data.gtmOnSuccess();\n',
      ),
    },
  ],
  [
    'ignores denied consent',
    {
      SANDBOXED_JS_FOR_WEB_TEMPLATE: replaceOnce(
        code,
        'data.requireConsent !== false && !granted',
        'false',
      ),
    },
  ],
  [
    'sends an identify without a user id',
    {
      SANDBOXED_JS_FOR_WEB_TEMPLATE: replaceOnce(code, 'if (!userId) {', 'if (false) {'),
    },
  ],
  [
    'lets the traits object win over the typed rows',
    {
      SANDBOXED_JS_FOR_WEB_TEMPLATE: replaceOnce(
        code,
        "merge(objectType === 'object' ? traitsObject : {}, rows(data.traits))",
        "merge(rows(data.traits), objectType === 'object' ? traitsObject : {})",
      ),
    },
  ],
  [
    'injects the client again when it is already loaded',
    {
      SANDBOXED_JS_FOR_WEB_TEMPLATE: replaceOnce(
        code,
        "getType(copyFromWindow('parley.client')) === 'object'",
        'false',
      ),
    },
  ],
  [
    'uses syntax the sandbox does not run',
    {
      SANDBOXED_JS_FOR_WEB_TEMPLATE: replaceOnce(
        code,
        "const CONSENT_TYPE = 'personalization_storage';",
        'const CONSENT_TYPE = `personalization_storage`;\nconst started = new Date();',
      ),
    },
  ],
  [
    'declares an inject_script URL that does not cover the client',
    {
      WEB_PERMISSIONS: replaceOnce(
        permissions ?? '',
        'https://*/parley/client.js',
        'https://cdn.parley.example/*',
      ),
    },
  ],
]

describe('the harness on deliberately broken copies of the template', () => {
  it('passes the real template', () => {
    const report = runTemplateTests(templateFiles.tpl)
    expect(report.problems).toEqual([])
    expect(report.scenarios.filter((scenario) => scenario.error !== undefined)).toEqual([])
  })

  it.each(brokenCopies)('fails a copy that %s', (_name, replacements) => {
    const report = runTemplateTests(withSections(templateFiles.tpl, replacements))
    const failures = [
      ...report.problems,
      ...report.scenarios.flatMap((scenario) =>
        scenario.error === undefined ? [] : [scenario.error],
      ),
    ]
    expect(failures.length).toBeGreaterThan(0)
  })
})
