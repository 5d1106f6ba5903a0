import { describe, expect, it } from 'vitest'
import { compileTemplate, TemplateError } from '../../server/src/personalization/template.ts'
import { evalContext } from '../helpers/eval-context.ts'

const render = (source: string, ctx = evalContext()) => compileTemplate(source).render(ctx)

describe('content templates', () => {
  it('renders an attribute', () => {
    const ctx = evalContext({ company: { name: 'Acme' } })
    expect(render('Built for {{company.name}}', ctx)).toBe('Built for Acme')
  })

  it('renders numbers and several placeholders', () => {
    const ctx = evalContext({ company: { name: 'Acme', employeeCount: 5000 } })
    expect(render('{{ company.name }}: {{company.employeeCount}} people', ctx)).toBe(
      'Acme: 5000 people',
    )
  })

  it('uses the fallback when the attribute is missing', () => {
    expect(render('Built for {{company.name | "teams like yours"}}')).toBe(
      'Built for teams like yours',
    )
  })

  it('uses the fallback for an empty or whitespace value', () => {
    const ctx = evalContext({ company: { name: '  ' } })
    expect(render("Built for {{company.name | 'teams like yours'}}", ctx)).toBe(
      'Built for teams like yours',
    )
  })

  it('hides the slot when the attribute is missing and there is no fallback', () => {
    expect(render('Built for {{company.name}}')).toBeUndefined()
  })

  it('hides the slot for a value that is not text (an object)', () => {
    const ctx = evalContext({ company: { address: { city: 'Oslo' } } })
    expect(render('{{company.address}}', ctx)).toBeUndefined()
  })

  it('keeps markup as plain text: nothing is escaped or interpreted', () => {
    const ctx = evalContext({ user: { name: '<img src=x onerror=alert(1)>' } })
    expect(render('Hi {{user.name}}', ctx)).toBe('Hi <img src=x onerror=alert(1)>')
  })

  it('allows an escaped quote and an empty fallback', () => {
    expect(render('{{user.name | "my \\"friend\\""}}')).toBe('my "friend"')
    expect(render('Hello{{user.name | ""}}!')).toBe('Hello!')
  })

  it('lists the attributes it reads', () => {
    expect(compileTemplate('{{user.name}} at {{company.name | "x"}}').attributes).toEqual([
      'user.name',
      'company.name',
    ])
  })

  it.each([
    ['Hi {{user.name', /unmatched/],
    ['Hi user.name}}', /unmatched/],
    ['Hi {{profile.name}}', /unknown attribute "profile.name"/],
    ['Hi {{visitor.pageview}}', /visitor\.pageViews/],
    ['Hi {{}}', /unknown attribute/],
  ])('rejects %s', (source, message) => {
    expect(() => compileTemplate(source)).toThrow(TemplateError)
    expect(() => compileTemplate(source)).toThrow(message)
  })
})
