/**
 * Runs a template's `___TESTS___` the way the GTM editor does: each scenario gets fresh mocks and
 * call records, its code runs with `setup` in the same scope, and `runCode(data)` runs the
 * template synchronously with `data.gtmOnSuccess`/`data.gtmOnFailure` injected. On top of GTM,
 * it lints both codes for sandbox syntax, enforces the declared permissions on every API call,
 * and fails a run that calls `gtmOnSuccess`/`gtmOnFailure` more than once.
 */
import vm from 'node:vm'
import { createRequire, record, type SandboxState } from './fake-apis.ts'
import { lintSandboxedJs } from './sandbox-lint.ts'
import { copyValue } from './sandbox-values.ts'
import { readTemplate, type TemplateModel } from './template-model.ts'
import {
  AssertionFailure,
  assertApiFor,
  assertThat,
  fail,
  mockFor,
  mockObjectFor,
} from './test-api.ts'

/** The outcome of one scenario: `error` is undefined when it passed. */
export interface ScenarioResult {
  name: string
  error: string | undefined
}

/** Everything the harness found: lint problems, then one result per scenario. */
export interface TemplateTestReport {
  problems: string[]
  scenarios: ScenarioResult[]
}

const templateGlobals = ['require', 'data', 'undefined']
const testGlobals = [
  'require',
  'undefined',
  'mock',
  'mockObject',
  'runCode',
  'assertApi',
  'assertThat',
  'fail',
]

// Globals a vm context has but the sandbox does not; removing them makes a slip fail at run time too.
const hiddenGlobals = [
  'Object',
  'Array',
  'JSON',
  'Math',
  'Date',
  'String',
  'Number',
  'Boolean',
  'RegExp',
  'Function',
  'eval',
  'Promise',
  'Reflect',
  'Proxy',
  'Symbol',
  'globalThis',
]

/** Lints and runs every scenario of a `.tpl` text. */
export function runTemplateTests(tplText: string): TemplateTestReport {
  const model = readTemplate(tplText)
  const setup = model.tests.setup ?? ''
  const setupLines = setup.split('\n').length
  const problems = [
    ...lintSandboxedJs(model.code, templateGlobals).map(
      (p) => `template code ${p.line}:${p.column} ${p.message}`,
    ),
    ...lintSandboxedJs(setup, testGlobals).map(
      (p) => `tests setup ${p.line}:${p.column} ${p.message}`,
    ),
    // A scenario sees the names setup declares, so it is linted with setup in front of it.
    ...model.tests.scenarios.flatMap((scenario) =>
      lintSandboxedJs(`${setup}\n${scenario.code}`, testGlobals)
        .filter((p) => p.line > setupLines)
        .map((p) => `scenario "${scenario.name}" ${p.line - setupLines}:${p.column} ${p.message}`),
    ),
  ]
  const scenarios = model.tests.scenarios.map((scenario) => ({
    name: scenario.name,
    error: runScenario(model, setup, scenario.code),
  }))
  return { problems, scenarios }
}

/** Runs one scenario in a fresh vm context; returns its failure message or undefined. */
export function runScenario(model: TemplateModel, setup: string, code: string): string | undefined {
  const state: SandboxState = {
    policy: model.policy,
    window: {},
    calls: new Map(),
    mocks: new Map(),
    logs: [],
  }
  const context = vm.createContext({})
  vm.runInContext(hiddenGlobals.map((name) => `delete globalThis.${name};`).join('\n'), context)
  const require = createRequire(state)
  const template = compile<(req: unknown, data: unknown) => unknown>(
    context,
    ['require', 'data'],
    model.code,
    'template.js',
  )
  const runCode = (data: unknown): unknown => {
    const sandboxData = copyValue(data) as Record<string, unknown>
    let outcome: string | undefined
    const finish = (name: 'gtmOnSuccess' | 'gtmOnFailure') => () => {
      record(state, name, [])
      if (outcome !== undefined) {
        throw new AssertionFailure(
          `${name} called after ${outcome}: call exactly one of them, once`,
        )
      }
      outcome = name
    }
    sandboxData.gtmOnSuccess = finish('gtmOnSuccess')
    sandboxData.gtmOnFailure = finish('gtmOnFailure')
    return template(require, sandboxData)
  }
  try {
    const scenario = compile<(...api: unknown[]) => unknown>(
      context,
      testGlobals.filter((name) => name !== 'undefined'),
      `${setup}\n${code}`,
      'scenario.js',
    )
    const api = [
      require,
      mockFor(state),
      mockObjectFor(state),
      runCode,
      assertApiFor(state),
      assertThat,
      fail,
    ]
    // Calling through runInContext puts the whole scenario under the vm's watchdog, so an endless
    // loop in the template fails the scenario instead of hanging the suite.
    ;(context as Record<string, unknown>).__runScenario = () => scenario(...api)
    vm.runInContext('__runScenario()', context, { timeout: 2000 })
    return undefined
  } catch (error) {
    const message = (error as { message?: unknown }).message
    const name = (error as { name?: unknown }).name
    return `${String(name)}: ${String(message ?? error)}`
  }
}

function compile<T>(context: vm.Context, params: string[], body: string, filename: string): T {
  const source = `(function (${params.join(', ')}) {\n${body}\n})`
  return new vm.Script(source, { filename, lineOffset: -1 }).runInContext(context, {
    timeout: 2000,
  }) as T
}
