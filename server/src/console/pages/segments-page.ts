import type { PersonalizationConfig } from '../../personalization/config-schema.ts'
import type { AudienceCount, Audiences } from '../audience.ts'
import type { EditAccess } from '../edit-access.ts'
import { count } from '../format.ts'
import { html, type SafeHtml } from '../html.ts'
import { dependsOnVisit, ruleInWords, type RuleWords } from '../rule-words.ts'
import { editLink } from './experiences-page.ts'

function words(rule: RuleWords): SafeHtml {
  return html`<li>
    ${rule.text}${
      rule.children === undefined
        ? ''
        : html`<ul>
            ${rule.children.map(words)}
          </ul>`
    }
  </li>`
}

function size(n: AudienceCount | undefined): string {
  if (n === undefined) return 'n/a'
  return n.exact ? count(n.estimate) : `≈ ${count(n.estimate)} (${count(n.low)}–${count(n.high)})`
}

/** Segments: each rule in words, its audience now, and how segments overlap. */
export function segmentsPage(
  source: PersonalizationConfig,
  audiences: Audiences,
  access: EditAccess,
): SafeHtml {
  const ids = source.segments.map((s) => s.id)
  const precision =
    audiences.sampled >= audiences.total
      ? html`Counted exactly over all ${count(audiences.total)} profiles.`
      : html`Estimated from a uniform sample of ${count(audiences.sampled)} of
        ${count(audiences.total)} profiles; the range is the 95 % interval.`
  return html`
    ${
      access.editable
        ? html`<p class="actions">
            <a class="button" href="/console/edit/segment">New segment</a>
          </p>`
        : ''
    }
    <p>${precision} Page and device conditions are counted as on a bare page from a desktop.</p>
    ${source.segments.length === 0 ? html`<p>The config in force has no segments.</p>` : ''}
    ${source.segments.map(
      (segment) =>
        html`<section class="card" aria-labelledby="segment-${segment.id}">
          <h2 id="segment-${segment.id}">${segment.id}</h2>
          ${segment.description === undefined ? '' : html`<p>${segment.description}</p>`}
          <p>
            <strong>Audience now:</strong> ${size(audiences.sizes.get(segment.id))} profiles
            ${
              dependsOnVisit(segment.rule)
                ? html`<span class="muted">(depends on the page or device of each visit)</span>`
                : ''
            }
          </p>
          <p><strong>A visitor is in it when</strong></p>
          <ul class="rule">
            ${words(ruleInWords(segment.rule))}
          </ul>
          <p>${editLink(access, 'segment', segment.id)}</p>
        </section>`,
    )}
    ${
      ids.length < 2
        ? ''
        : html`<section aria-labelledby="overlaps">
            <h2 id="overlaps">Overlaps</h2>
            <div class="scroll">
              <table>
                <caption>
                  Profiles in both segments
                </caption>
                <thead>
                  <tr>
                    <td></td>
                    ${ids.map((id) => html`<th scope="col">${id}</th>`)}
                  </tr>
                </thead>
                <tbody>
                  ${ids.map(
                    (a) =>
                      html`<tr>
                        <th scope="row">${a}</th>
                        ${ids.map((b) => {
                          if (a === b) return html`<td>${size(audiences.sizes.get(a))}</td>`
                          const key = a < b ? `${a}|${b}` : `${b}|${a}`
                          return html`<td>${size(audiences.overlaps.get(key))}</td>`
                        })}
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>
          </section>`
    }
  `
}
