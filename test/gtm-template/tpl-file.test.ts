import { describe, expect, it } from 'vitest'
import { readTemplate } from '../gtm-harness/template-model.ts'
import { splitSections, toGtmJson } from '../gtm-harness/tpl-file.ts'
import { withSections } from './edit-template.ts'
import { templateFiles } from './read-template.ts'

describe('reading a .tpl', () => {
  it('splits on marker lines whatever the section order', () => {
    const text = '___NOTES___\n\nnote\n\n\n___INFO___\n\n{}\n\n\n'
    expect(splitSections(text)).toEqual([
      { name: 'NOTES', body: 'note' },
      { name: 'INFO', body: '{}' },
    ])
  })

  it.each([
    ['no marker at all', 'just text', 'no ___SECTION___ marker'],
    ['text before the first marker', 'oops\n___INFO___\n\n{}\n', 'text before the first'],
    ['a section twice', '___INFO___\n\n{}\n\n___INFO___\n\n{}\n', '___INFO___ appears twice'],
  ])('refuses %s with a clear error', (_name, text, message) => {
    expect(() => splitSections(text)).toThrow(message)
  })

  it('names the section whose JSON or YAML is malformed, or that is missing', () => {
    expect(() => readTemplate(withSections(templateFiles.tpl, { INFO: '{ nope' }))).toThrow(
      '___INFO___ is not valid JSON',
    )
    expect(() =>
      readTemplate(withSections(templateFiles.tpl, { TESTS: 'scenarios: [{ code: 1 }]' })),
    ).toThrow('___TESTS___ is not a scenarios/setup document')
    expect(() =>
      readTemplate(withSections(templateFiles.tpl, { WEB_PERMISSIONS: '[{"instance": {}}]' })),
    ).toThrow('a permission has no instance.key.publicId')
    const oddValue =
      '[{"instance": {"key": {"publicId": "logging"}, "param": [{"key": "environments", "value": {"type": 7}}]}}]'
    expect(() =>
      readTemplate(withSections(templateFiles.tpl, { WEB_PERMISSIONS: oddValue })),
    ).toThrow('unknown permission value type 7')
    const withoutTests = templateFiles.tpl.replace(/___TESTS___[\s\S]*?(?=___NOTES___)/, '')
    expect(() => readTemplate(withoutTests)).toThrow('the template has no ___TESTS___ section')
  })

  it('writes JSON as the GTM editor does, escaping HTML-significant characters', () => {
    expect(toGtmJson({ help: "<b>it's</b> a=b & c" })).toBe(
      '{\n  "help": "\\u003cb\\u003eit\\u0027s\\u003c/b\\u003e a\\u003db \\u0026 c"\n}',
    )
  })
})
