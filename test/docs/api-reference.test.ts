import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { errorStatus } from '../../server/src/errors/error-codes.ts'

const root = resolve(import.meta.dirname, '../..')
const apiDoc = readFileSync(resolve(root, 'docs/api.md'), 'utf8')
const warningCodes = [
  ...readFileSync(resolve(root, 'server/src/pipeline/warnings.ts'), 'utf8').matchAll(
    /\|\s*'([a-z_]+)'/g,
  ),
].map((match) => match[1])

describe('docs/api.md', () => {
  it.each(Object.keys(errorStatus))('documents the error code %s', (code) => {
    expect(apiDoc).toContain(`\`${code}\``)
  })

  it('documents every warning code', () => {
    expect(warningCodes.length).toBeGreaterThan(5)
    expect(warningCodes.filter((code) => !apiDoc.includes(`\`${code}\``))).toEqual([])
  })
})
