import { describe, expect, it } from 'vitest'
import { html, href } from '../../server/src/console/html.ts'
import { dependsOnVisit, ruleInWords } from '../../server/src/console/rule-words.ts'
import { traitLeaves } from '../../server/src/console/trait-leaves.ts'
import { mergeTraitTrees, traitsToTree } from '../../server/src/traits/trait-tree.ts'

describe('the console html template', () => {
  it('escapes every interpolated value, in text and in attributes', () => {
    const hostile = `<img src=x onerror="alert('x')">&`
    expect(html`<p title="${hostile}">${hostile}</p>`.value).toBe(
      '<p title="&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;">&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;</p>',
    )
  })

  it('keeps nested templates as markup, flattens lists and drops nothing-values', () => {
    const items = ['a<', 'b'].map((item) => html`<li>${item}</li>`)
    const nothing = [null, undefined, false]
    expect(html`${items}${nothing}${0}`.value).toBe('<li>a&lt;</li><li>b</li>0')
  })

  it('builds links with encoded query parameters', () => {
    expect(href('/console/profiles', { by: 'email', q: 'a&b=c', skip: undefined })).toBe(
      '/console/profiles?by=email&q=a%26b%3Dc',
    )
  })
})

describe('segment rules in words', () => {
  it('reads conditions and their nesting', () => {
    expect(
      ruleInWords({
        all: [
          { attribute: 'company.employeeCount', operator: 'gte', value: 1000 },
          { not: { attribute: 'company.industry', operator: 'in', value: ['Retail', 'Food'] } },
          { attribute: 'page.query.gclid', operator: 'exists' },
        ],
      }),
    ).toEqual({
      text: 'all of these',
      children: [
        { text: 'company.employeeCount is at least 1000' },
        { text: 'not this', children: [{ text: 'company.industry is one of "Retail", "Food"' }] },
        { text: 'page.query.gclid is known' },
      ],
    })
  })

  it('knows which rules depend on the visit (page or device)', () => {
    expect(
      dependsOnVisit({ any: [{ attribute: 'device.type', operator: 'equal', value: 'mobile' }] }),
    ).toBe(true)
    expect(dependsOnVisit({ attribute: 'user.plan', operator: 'equal', value: 'pro' })).toBe(false)
  })
})

describe('traits with when they were set', () => {
  it('lists each visible leaf with the time of the write that set it', () => {
    const tree = mergeTraitTrees(
      traitsToTree({ plan: 'free', company: { name: 'Acme' }, gone: 'x' }, 1_000),
      traitsToTree({ plan: 'pro', gone: null }, 2_000),
    )
    expect(traitLeaves(tree)).toEqual([
      { path: 'company.name', value: 'Acme', at: 1_000 },
      { path: 'plan', value: 'pro', at: 2_000 },
    ])
  })
})
