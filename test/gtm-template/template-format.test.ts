import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { describe, expect, it } from 'vitest'
import { syncedTemplate } from '../gtm-harness/sync-template.ts'
import { readTemplate } from '../gtm-harness/template-model.ts'
import { joinSections, splitSections, toGtmJson, webExportOrder } from '../gtm-harness/tpl-file.ts'
import { templateFiles } from './read-template.ts'

const model = readTemplate(templateFiles.tpl)

interface Parameter {
  type: string
  name: string
  help?: string
  valueValidators?: { type: string }[]
  subParams?: Parameter[]
}

function allParameters(list: Parameter[]): Parameter[] {
  return list.flatMap((parameter) => [parameter, ...allParameters(parameter.subParams ?? [])])
}

describe('gtm-template/template.tpl export format', () => {
  it('has the web tag sections in the order the GTM editor exports them', () => {
    expect(model.sections.map((section) => section.name)).toEqual([...webExportOrder])
  })

  it('is laid out byte for byte as the editor writes it', () => {
    expect(joinSections(splitSections(templateFiles.tpl))).toBe(templateFiles.tpl)
    for (const name of ['INFO', 'TEMPLATE_PARAMETERS', 'WEB_PERMISSIONS']) {
      const body = model.sections.find((section) => section.name === name)?.body ?? ''
      expect(toGtmJson(JSON.parse(body)), name).toBe(body)
    }
  })

  it('carries exactly the code of gtm-template/template.js (npm run gtm:sync)', () => {
    expect(syncedTemplate(templateFiles.tpl, templateFiles.code)).toBe(templateFiles.tpl)
  })

  it('is a web tag with gallery info: categories, brand and a PNG thumbnail', () => {
    expect(model.info).toMatchObject({
      type: 'TAG',
      id: 'cvt_temp_public_id',
      version: 1,
      securityGroups: [],
      containerContexts: ['WEB'],
      categories: ['PERSONALIZATION', 'ANALYTICS'],
    })
    const brand = model.info.brand as { displayName: string; thumbnail: string }
    expect(brand.displayName).toBe('Parley')
    const png = Buffer.from(brand.thumbnail.replace('data:image/png;base64,', ''), 'base64')
    expect(png.subarray(1, 4).toString()).toBe('PNG')
  })

  it('gives every field a help text and validates the required ones', () => {
    const parameters = allParameters(model.parameters as Parameter[])
    expect(parameters.map((parameter) => parameter.name)).toEqual(
      expect.arrayContaining(['action', 'containerUrl', 'userId', 'traits', 'companyTraits']),
    )
    for (const parameter of parameters.filter((p) => p.type !== 'GROUP')) {
      expect(parameter.help, parameter.name).toMatch(/\S{10}/)
    }
    for (const name of ['containerUrl', 'userId', 'eventName']) {
      const parameter = parameters.find((p) => p.name === name)
      expect(
        parameter?.valueValidators?.map((v) => v.type),
        name,
      ).toContain('NON_EMPTY')
    }
  })

  it('asks for the narrowest permissions: one script path, two globals, one consent type', () => {
    expect([...model.policy.declared].sort()).toEqual([
      'access_consent',
      'access_globals',
      'inject_script',
      'logging',
    ])
    expect(model.policy.injectScriptUrls).toEqual(['https://*/parley/client.js'])
    expect(Object.fromEntries(model.policy.globals)).toEqual({
      _parleyq: { read: true, write: true, execute: false },
      'parley.client': { read: true, write: false, execute: false },
    })
    expect([...model.policy.consentRead]).toEqual(['personalization_storage'])
    expect([...model.policy.consentWrite]).toEqual([])
    expect(model.policy.loggingEnvironments).toBe('debug')
  })

  it('ships a gallery metadata.yaml with release notes per template commit', () => {
    const metadata = parseYaml(
      readFileSync(resolve(import.meta.dirname, '../../gtm-template/metadata.yaml'), 'utf8'),
    ) as {
      homepage: string
      documentation: string
      versions: { sha: string; changeNotes: string }[]
    }
    expect(metadata.homepage).toMatch(/^https:\/\//)
    expect(metadata.documentation).toMatch(/^https:\/\//)
    expect(metadata.versions.length).toBeGreaterThan(0)
    for (const version of metadata.versions) {
      expect(version.sha).toMatch(/^[0-9a-f]{40}$/)
      expect(version.changeNotes.trim()).not.toBe('')
    }
  })
})
