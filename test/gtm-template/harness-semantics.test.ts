import { describe, expect, it } from 'vitest'
import { runTemplateTests } from '../gtm-harness/run-template-tests.ts'
import { testsYaml, withSections } from './edit-template.ts'
import { templateFiles } from './read-template.ts'

/** Runs scenarios against a small template that uses the real template's permissions. */
function run(code: string, scenarios: { name: string; code: string }[], setup = '') {
  return runTemplateTests(
    withSections(templateFiles.tpl, {
      SANDBOXED_JS_FOR_WEB_TEMPLATE: code,
      TESTS: testsYaml(scenarios, setup),
    }),
  )
}

const errors = (report: ReturnType<typeof run>) => report.scenarios.map((s) => s.error)

describe('GTM test semantics in the harness', () => {
  it('runs setup in the scope of each scenario, afresh each time', () => {
    const report = run(
      `data.gtmOnSuccess();`,
      [
        { name: 'first', code: `counter.push(1);\nassertThat(counter).hasLength(1);` },
        { name: 'second', code: `counter.push(2);\nassertThat(counter).isEqualTo([2]);` },
      ],
      `const counter = [];`,
    )
    expect(errors(report)).toEqual([undefined, undefined])
  })

  it('resets mocks and recorded calls before each scenario', () => {
    const code = `const getType = require('getType');\nif (getType('x') === 'mocked') data.gtmOnFailure(); else data.gtmOnSuccess();`
    const report = run(code, [
      {
        name: 'mocks getType',
        code: `mock('getType', 'mocked');\nrunCode({});\nassertApi('gtmOnFailure').wasCalled();`,
      },
      {
        name: 'sees the real getType and no earlier calls',
        code: `assertApi('gtmOnFailure').wasNotCalled();\nrunCode({});\nassertApi('gtmOnSuccess').wasCalled();\nassertApi('gtmOnFailure').wasNotCalled();`,
      },
    ])
    expect(errors(report)).toEqual([undefined, undefined])
  })

  it('fails a scenario whose assertion does not hold, naming what it saw', () => {
    const report = run(`data.gtmOnSuccess();`, [
      { name: 'wrong', code: `runCode({});\nassertApi('gtmOnFailure').wasCalled();` },
      { name: 'values', code: `assertThat({ a: [1] }, 'shape').isEqualTo({ a: [2] });` },
      { name: 'explicit', code: `fail('stop here');` },
    ])
    expect(report.scenarios[0]?.error).toContain('expected gtmOnFailure to be called')
    expect(report.scenarios[1]?.error).toContain('shape: expected {"a":[1]} to equal {"a":[2]}')
    expect(report.scenarios[2]?.error).toContain('stop here')
  })

  it('fails a run that calls gtmOnSuccess and gtmOnFailure both, or twice', () => {
    const report = run(`data.gtmOnSuccess();\ndata.gtmOnFailure();`, [
      { name: 'both', code: `runCode({});` },
    ])
    expect(report.scenarios[0]?.error).toContain('gtmOnFailure called after gtmOnSuccess')
  })

  it('stops a template that never ends instead of hanging', () => {
    const report = run(`while (true) {}`, [{ name: 'loop', code: `runCode({});` }])
    expect(report.scenarios[0]?.error).toMatch(/timed out/i)
  })

  it('matches arguments deeply in wasCalledWith and captures mock arguments', () => {
    const code = `const createQueue = require('createQueue');\ncreateQueue('_parleyq')(['page', { a: 1 }]);\ndata.gtmOnSuccess();`
    const report = run(code, [
      {
        name: 'captured',
        code: `const seen = [];\nmock('createQueue', (key) => (entry) => seen.push(entry));\nrunCode({});\nassertApi('createQueue').wasCalledWith('_parleyq');\nassertThat(seen).isEqualTo([['page', { a: 1 }]]);\nassertApi('createQueue').wasNotCalledWith('dataLayer');`,
      },
    ])
    expect(errors(report)).toEqual([undefined])
  })
})

describe('unmocked fake APIs in the harness', () => {
  it('keep a per-scenario window: queued values are copied across the sandbox boundary', () => {
    const code = `const createQueue = require('createQueue');
const entry = ['page', { n: 1 }];
createQueue('_parleyq')(entry);
entry[1].n = 2;
data.gtmOnSuccess();`
    const report = run(code, [
      {
        name: 'first',
        code: `runCode({});\nconst copyFromWindow = require('copyFromWindow');\nassertThat(copyFromWindow('_parleyq')).isEqualTo([['page', { n: 1 }]]);`,
      },
      {
        name: 'second starts empty',
        code: `const copyFromWindow = require('copyFromWindow');\nassertThat(copyFromWindow('_parleyq')).isUndefined();`,
      },
    ])
    expect(errors(report)).toEqual([undefined, undefined])
  })

  it('never load a script on their own, so success waits for a test to call back', () => {
    const code = `const injectScript = require('injectScript');
injectScript('https://www.example.com/parley/client.js', data.gtmOnSuccess, data.gtmOnFailure);`
    const report = run(code, [
      {
        name: 'pending',
        code: `runCode({});\nassertApi('injectScript').wasCalled();\nassertApi('gtmOnSuccess').wasNotCalled();\nassertApi('gtmOnFailure').wasNotCalled();`,
      },
    ])
    expect(errors(report)).toEqual([undefined])
  })
})

describe('declared permissions in the harness', () => {
  it('fails a call outside the declared inject_script URL patterns, even when mocked', () => {
    const code = `const injectScript = require('injectScript');\ninjectScript('https://cdn.evil.example/x.js', data.gtmOnSuccess, data.gtmOnFailure);`
    const report = run(code, [
      { name: 'real', code: `runCode({});` },
      { name: 'mocked', code: `mock('injectScript', () => undefined);\nrunCode({});` },
    ])
    for (const scenario of report.scenarios) {
      expect(scenario.error).toContain('inject_script does not allow https://cdn.evil.example/x.js')
    }
  })

  it('fails a global access the permission does not grant', () => {
    const report = run(
      `const setInWindow = require('setInWindow');\nsetInWindow('parley.client', {});`,
      [{ name: 'write', code: `runCode({});` }],
    )
    expect(report.scenarios[0]?.error).toContain('access_globals does not grant')
  })

  it('fails a consent type and an API whose permission is not declared', () => {
    const report = run(
      `const isConsentGranted = require('isConsentGranted');\nisConsentGranted('ad_storage');`,
      [{ name: 'consent', code: `runCode({});` }],
    )
    expect(report.scenarios[0]?.error).toContain('access_consent does not grant read on ad_storage')
    const pixel = run(`require('sendPixel');`, [{ name: 'pixel', code: `runCode({});` }])
    expect(pixel.scenarios[0]?.error).toMatch(/sendPixel/)
  })

  it('answers queryPermission from the same declarations', () => {
    const code = `const queryPermission = require('queryPermission');\nif (queryPermission('inject_script', 'https://www.example.com/parley/client.js') && !queryPermission('inject_script', 'https://www.example.com/other.js') && queryPermission('access_globals', 'readwrite', '_parleyq') && !queryPermission('access_globals', 'write', 'parley.client')) data.gtmOnSuccess(); else data.gtmOnFailure();`
    const report = run(code, [
      { name: 'query', code: `runCode({});\nassertApi('gtmOnSuccess').wasCalled();` },
    ])
    expect(errors(report)).toEqual([undefined])
  })
})
