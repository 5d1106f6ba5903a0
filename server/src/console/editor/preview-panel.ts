import { api, ApiError } from './api.ts'
import { h, replace } from './dom.ts'
import type { DraftDocument } from './draft-merge.ts'
import { field } from './field-issues.ts'
import { failure } from './failure.ts'

/** Typed traits: empty, or a JSON object; else the sentence saying what is wrong. */
function traits(text: string, label: string): Record<string, unknown> | string | undefined {
  if (text.trim() === '') return undefined
  try {
    const value = JSON.parse(text) as unknown
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return value as Record<string, unknown>
    }
  } catch {
    // answered below
  }
  return `${label} must be a JSON object such as {"name": "Acme", "employeeCount": 5000}.`
}

/**
 * What a visitor would see with the draft, before it is published: a page URL, a device, and a
 * stored profile or typed traits (nothing is recorded). `document` is read when asked.
 */
export function previewPanel(
  document: () => DraftDocument,
  defaultUrl: string,
  draft = true,
): HTMLElement {
  const url = h('input', { type: 'url', value: defaultUrl, autocomplete: 'off' })
  const device = h(
    'select',
    {},
    ['desktop', 'mobile', 'tablet'].map((d) => h('option', { value: d }, d)),
  )
  const profile = h('input', { autocomplete: 'off' })
  const company = h('textarea', {
    rows: 2,
    placeholder: '{"name": "Acme", "employeeCount": 5000, "industry": "Software"}',
  })
  const user = h('textarea', { rows: 2, placeholder: '{"firstName": "Ann", "plan": "pro"}' })
  const result = h('div', { role: 'status', 'aria-live': 'polite', class: 'preview-result' })

  const run = async () => {
    const companyTraits = traits(company.value, 'Company traits')
    const userTraits = traits(user.value, 'User traits')
    const wrong = [companyTraits, userTraits].find((t) => typeof t === 'string')
    if (typeof wrong === 'string') {
      replace(result, h('p', { class: 'error' }, wrong))
      return
    }
    replace(result, h('p', {}, 'Previewing…'))
    try {
      const answer = await api.preview({
        document: document(),
        url: url.value,
        device: device.value,
        profile: profile.value,
        ...(typeof companyTraits === 'object' ? { companyTraits } : {}),
        ...(typeof userTraits === 'object' ? { userTraits } : {}),
      })
      const slots = answer.experiences.flatMap((experience) => {
        const entries = Object.entries(experience.content)
        if (entries.length === 0) {
          return [
            [
              experience.id,
              experience.variation,
              '–',
              experience.control ? 'the page’s default (control)' : 'no slot shown',
            ],
          ]
        }
        return entries.map(([slot, text]) => [experience.id, experience.variation, slot, text])
      })
      replace(
        result,
        h('h3', {}, `${answer.who} on ${url.value} (${device.value})`),
        h(
          'p',
          {},
          h('strong', {}, 'Segments: '),
          answer.segments.length === 0 ? 'none' : answer.segments.join(', '),
        ),
        slots.length === 0
          ? h(
              'p',
              {},
              h('strong', {}, 'Experiences: '),
              'none: the page shows its default content.',
            )
          : h(
              'table',
              {},
              h('caption', {}, 'What this visitor sees, slot by slot'),
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  ['Experience', 'Variation', 'Slot', 'Text'].map((label) =>
                    h('th', { scope: 'col' }, label),
                  ),
                ),
              ),
              h(
                'tbody',
                {},
                slots.map(([experience, variation, slot, text]) =>
                  h(
                    'tr',
                    {},
                    h('th', { scope: 'row' }, experience),
                    h('td', {}, variation),
                    h('td', {}, h('code', {}, slot)),
                    h('td', { class: 'value' }, text),
                  ),
                ),
              ),
            ),
      )
    } catch (error) {
      replace(
        result,
        h(
          'p',
          { class: 'error' },
          error instanceof ApiError && error.code === 'invalid_config'
            ? 'The draft has problems: fix them to preview it.'
            : failure(error),
        ),
      )
    }
  }

  return h(
    'section',
    { class: 'card preview-panel', 'aria-labelledby': 'preview-heading' },
    h('h2', { id: 'preview-heading' }, draft ? 'Preview the draft' : 'Preview'),
    h(
      'p',
      { class: 'muted' },
      draft
        ? 'What a visitor would see with your draft, before anyone else does. Nothing is recorded.'
        : 'What a visitor would see with this config. Nothing is recorded.',
    ),
    h(
      'div',
      { class: 'preview-fields' },
      field({ label: 'Page URL', control: url }),
      field({ label: 'Device', control: device }),
      field({
        label: 'Profile (optional)',
        control: profile,
        hint: 'A profile id, user id or anonymous id; empty to use the traits below',
      }),
      field({ label: 'Company traits (JSON)', control: company }),
      field({ label: 'User traits (JSON)', control: user }),
    ),
    h('button', { type: 'button', onclick: () => void run() }, 'Preview'),
    result,
  )
}
