import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { templateFiles } from './read-template.ts'

const guide = readFileSync(resolve(import.meta.dirname, '../../docs/gtm.md'), 'utf8')

describe('docs/gtm.md', () => {
  it('explains every error code the template logs', () => {
    const codes = [
      ...templateFiles.code.matchAll(/(?:error: |fail\(\s*|log\(\s*'error',\s*)'([a-z_]+)'/g),
    ].map((match) => match[1])
    expect(codes.length).toBeGreaterThan(5)
    for (const code of new Set(codes)) expect(guide).toContain(`\`${code}\``)
  })

  it('walks through import, variables, the login trigger, consent and Preview mode', () => {
    for (const step of [
      'Import',
      'Data Layer Variable',
      'Custom Event',
      'personalization_storage',
      'Preview',
      "gtag('policy', 'inject_script'",
    ]) {
      expect(guide).toContain(step)
    }
  })
})
