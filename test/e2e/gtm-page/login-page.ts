import { readTemplate } from '../../gtm-harness/template-model.ts'
import { matchesUrlPattern } from '../../gtm-harness/url-pattern.ts'
import { templateFiles } from '../../gtm-template/read-template.ts'
import { installGtmRuntime, type PageRuntimeConfig, type PageTag } from './page-runtime.ts'

/**
 * The tags a marketer sets up by following docs/gtm.md: a page-view tag on every page and an
 * identify tag on the `login` custom event, reading Data Layer Variables.
 */
export function marketerTags(containerUrl: string): PageTag[] {
  return [
    {
      name: 'Parley - page view',
      trigger: 'gtm.js',
      data: { action: 'page', containerUrl, requireConsent: true, debug: true },
    },
    {
      name: 'Parley - identify on login',
      trigger: 'login',
      data: {
        action: 'identify',
        containerUrl,
        userId: '{{dlv:userId}}',
        traits: [{ key: 'email', value: '{{dlv:email}}' }],
        companyTraits: [
          { key: 'id', value: '{{dlv:company.id}}' },
          { key: 'name', value: '{{dlv:company.name}}' },
          { key: 'domain', value: '{{dlv:company.domain}}' },
          { key: 'plan', value: '{{dlv:company.plan}}' },
        ],
        requireConsent: true,
        debug: true,
      },
    },
  ]
}

/** A page whose dataLayer events run the committed template's code against the real window. */
export function loginPageHtml(containerUrl: string, deniedConsent: string[] = []): string {
  const model = readTemplate(templateFiles.tpl)
  const config: PageRuntimeConfig = {
    code: model.code,
    matcherSource: matchesUrlPattern.toString(),
    injectScriptUrls: model.policy.injectScriptUrls,
    globals: Object.fromEntries(model.policy.globals),
    consentRead: [...model.policy.consentRead],
    deniedConsent,
    tags: marketerTags(containerUrl),
    renderEvent: 'parley.personalized',
  }
  // `<` is escaped so no value can close the inline script. Some TypeScript loaders (tsx) wrap
  // functions in an `__name(...)` helper when transpiling; the page defines a no-op one.
  const boot = `(${installGtmRuntime.toString()})(${JSON.stringify(config).replace(/</g, '\\u003c')})`
  return `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>Parley GTM login flow</title></head>
  <body>
    <h1>Welcome</h1>
    <p id="personalised"></p>
    <script>window.dataLayer = window.dataLayer || [];</script>
    <script>var __name = function (target) { return target; };</script>
    <script>${boot.replace(/<\/script/gi, '<\\/script')}</script>
  </body>
</html>`
}
