import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startContainer, type RunningContainer } from '../helpers/start-container.ts'

interface Payload {
  segments: string[]
  experiences: { id: string; content: Record<string, string> }[]
}

const started: RunningContainer[] = []
const dirs: string[] = []
afterEach(async () => {
  for (const container of started.splice(0)) expect(await container.stop()).toBe(0)
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

async function personalize(container: RunningContainer, url: string): Promise<Payload> {
  const response = await fetch(`${container.url}/v1/personalize`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ page: { url } }),
  })
  expect(response.status).toBe(200)
  return (await response.json()) as Payload
}

describe('enrichment in the started container', () => {
  it('starts with a missing data file, logs it, and serves with the sources it has', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-enrich-start-'))
    dirs.push(dir)
    writeFileSync(
      join(dir, 'ranges.yaml'),
      'companies:\n  - { domain: northwind.example, name: Northwind, ranges: [127.0.0.0/8, "::1/128"] }\n',
    )
    writeFileSync(
      join(dir, 'parley.yaml'),
      [
        'segments:',
        '  - id: inferred-company',
        '    rule: { attribute: visitor.companySource, operator: equal, value: inferred }',
        'experiences:',
        '  - id: hello',
        '    segments: [inferred-company]',
        '    variations:',
        "      - { id: named, content: { hero: 'Hello {{company.name}}' } }",
        '',
      ].join('\n'),
    )
    const container = await startContainer({
      PARLEY_ENRICHMENT: 'on',
      PARLEY_GEO_DB: join(dir, 'no-such-file.mmdb'),
      PARLEY_ASN_DB: 'off',
      PARLEY_COMPANY_RANGES: join(dir, 'ranges.yaml'),
      PARLEY_CONFIG: join(dir, 'parley.yaml'),
    })
    started.push(container)
    expect(container.output()).toContain('enrichment geo data cannot be loaded; serving without it')
    const payload = await personalize(container, 'https://www.example.com/')
    expect(payload.experiences).toEqual([
      expect.objectContaining({ id: 'hello', content: { hero: 'Hello Northwind' } }),
    ])
  })

  it('shows the demo experiences for a country and a company on npm start with the demo config', async () => {
    const container = await startContainer({ NODE_ENV: 'development' })
    started.push(container)
    const pricing = await personalize(container, 'http://localhost/pricing')
    expect(pricing.segments).toEqual(expect.arrayContaining(['from-uk', 'target-account-network']))
    expect(
      pricing.experiences.find((e) => e.id === 'uk-pricing')?.content['pricing-banner'],
    ).toContain('Visiting from GB?')
    const home = await personalize(container, 'http://localhost/')
    expect(home.experiences.find((e) => e.id === 'target-account-welcome')?.content).toEqual({
      'hero-title': 'Dashboards the whole Northwind Traders team can read',
      'hero-subline': 'Built for Software teams of 2500.',
    })
  })
})
