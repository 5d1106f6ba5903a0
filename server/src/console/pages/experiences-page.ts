import type { ExperienceReport, DailyPoint } from '../../measurement/read-experience-report.ts'
import type { GoalReport } from '../../measurement/experience-report.ts'
import type { PersonalizationConfig } from '../../personalization/config-schema.ts'
import { forestPlot, lineChart } from '../charts.ts'
import {
  count,
  pct,
  pointsRange,
  pValue,
  rateRange,
  signedPct,
  signedPoints,
  signedRange,
} from '../format.ts'
import type { EditAccess } from '../edit-access.ts'
import { html, href, type SafeHtml } from '../html.ts'
import { badge, section, table } from '../layout.ts'

type ExperienceSource = PersonalizationConfig['experiences'][number]

/** An experience's status as a badge, with its winner or its paused variations. */
export function statusText(source: ExperienceSource | undefined): SafeHtml {
  if (source === undefined) return html`${badge('running')}`
  const paused = source.variations.filter((variation) => variation.paused)
  return html`${badge(source.status)}${
    source.status === 'concluded' ? html` winner: ${String(source.winner)}` : ''
  }${
    paused.length === 0
      ? ''
      : html`<div class="muted">paused: ${paused.map((variation) => variation.id).join(', ')}</div>`
  }`
}

/** A link to an item's editor: "Edit" for an editor, "View" read-only for anyone else. */
export function editLink(access: EditAccess, page: 'segment' | 'experience', id: string): SafeHtml {
  return html`<a href="${href(`/console/edit/${page}`, { id })}"
    >${access.editable ? `Edit ${id}` : `View ${id} in the ${page === 'segment' ? 'builder' : 'editor'}`}</a
  >`
}

/** The experiences list: status, exposure, the first goal's conversions and lift, the verdict. */
export function experiencesList(
  rows: readonly { source: ExperienceSource | undefined; report: ExperienceReport }[],
  access: EditAccess,
): SafeHtml {
  const create = access.editable
    ? html`<p class="actions">
        <a class="button" href="/console/edit/experience">New experience</a>
      </p>`
    : ''
  if (rows.length === 0) {
    return html`${create}
      <p>The config in force has no experiences.</p>`
  }
  return html`${create}
    <table>
      <caption>
        Experiences in the config in force, highest priority first
      </caption>
      <thead>
        <tr>
          <th scope="col">Experience</th>
          <th scope="col">Status</th>
          <th scope="col" class="num">Exposed</th>
          <th scope="col" class="num">Conversions</th>
          <th scope="col" class="num">Lift</th>
          <th scope="col">Verdict</th>
          <th scope="col">Change</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(({ source, report }) => {
          const exposed = Object.values(report.visitors).reduce((sum, n) => sum + n, 0)
          const goal = report.goals[0]
          const conversions =
            goal === undefined
              ? undefined
              : goal.control.conversions + goal.variations.reduce((s, v) => s + v.conversions, 0)
          const best = goal?.variations
            .filter((v) => v.lift !== null)
            .sort((a, b) => (b.chanceToBeat ?? 0) - (a.chanceToBeat ?? 0))[0]
          return html`<tr>
            <th scope="row">
              <a href="${href(`/console/experiences/${encodeURIComponent(report.experience)}`)}"
                >${report.experience}</a
              >
              ${
                source?.description === undefined
                  ? ''
                  : html`<div class="muted">${source.description}</div>`
              }
            </th>
            <td>
              ${statusText(source)}
              ${
                exposed === 0 && source?.status !== 'draft'
                  ? html`<div class="muted">no visitors yet</div>`
                  : ''
              }
            </td>
            <td class="num">${count(exposed)}</td>
            <td class="num">
              ${conversions === undefined ? 'no goal' : count(conversions)}
              ${goal === undefined ? '' : html`<div class="muted">${goal.goal}</div>`}
            </td>
            <td class="num">
              ${best === undefined ? 'n/a' : signedPct(best.lift)}
              ${best === undefined ? '' : html`<div class="muted">${best.variation}</div>`}
            </td>
            <td>${badge(report.verdict.status)} ${report.verdict.reason}</td>
            <td>${editLink(access, 'experience', report.experience)}</td>
          </tr>`
        })}
      </tbody>
    </table>`
}

/** One experience's results for one goal: verdict, arms, health, statistics, charts. */
export function experienceResults(options: {
  report: ExperienceReport
  source: ExperienceSource | undefined
  goal: GoalReport | undefined
  daily: { arm: string; points: DailyPoint[] }[]
  access: EditAccess
}): SafeHtml {
  const { report, goal, source } = options
  const goalLinks =
    report.goals.length > 1
      ? html`<nav aria-label="Goals" class="tabs">
          <ul>
            ${report.goals.map(
              (g) =>
                html`<li>
                  <a
                    href="${href(`/console/experiences/${encodeURIComponent(report.experience)}`, {
                      goal: g.goal,
                    })}"
                    ${g.goal === goal?.goal ? html`aria-current="page"` : ''}
                    >${g.goal}</a
                  >
                </li>`,
            )}
          </ul>
        </nav>`
      : ''
  return html`
    ${source?.description === undefined ? '' : html`<p>${source.description}</p>`}
    <dl class="facts">
      <dt>Status</dt>
      <dd>${statusText(source)} (${editLink(options.access, 'experience', report.experience)})</dd>
      <dt>Holdout</dt>
      <dd>${pct(report.holdout, 0)} of the audience sees the normal page</dd>
      <dt>Attribution window</dt>
      <dd>${report.attributionWindowDays} days after the first impression</dd>
      <dt>Segments</dt>
      <dd>
        ${source === undefined || source.segments.length === 0 ? 'everyone' : source.segments.join(', ')}
      </dd>
      <dt>Pages</dt>
      <dd>
        ${source === undefined || source.pages.length === 0 ? 'every page' : source.pages.join(', ')}
      </dd>
    </dl>
    ${goalLinks}
    ${
      goal === undefined
        ? html`<p class="verdict">${badge(report.verdict.status)} ${report.verdict.reason}</p>`
        : goalSection(report, goal)
    }
    ${healthSection(report, goal)}
    <section aria-labelledby="over-time">
      <h2 id="over-time">Over time</h2>
      ${lineChart({
        id: 'daily-exposures',
        title: 'Visitors first exposed each day, per arm',
        series: options.daily.map((s) => ({
          label: s.arm,
          values: s.points.map((p) => ({ day: p.day, value: p.exposed })),
        })),
        format: (n) => count(Math.round(n)),
      })}
      ${
        goal === undefined
          ? ''
          : lineChart({
              id: 'cumulative-rate',
              title: `Cumulative conversion rate (${goal.goal}), per arm`,
              series: options.daily.map((s) => ({
                label: s.arm,
                values: s.points.map((p) => ({ day: p.day, value: p.cumulativeRate })),
              })),
              format: (n) => pct(n),
            })
      }
    </section>
  `
}

function goalSection(report: ExperienceReport, goal: GoalReport): SafeHtml {
  const withLift = goal.variations.filter((v) => v.relativeLift !== null)
  return html`
    <p class="verdict">
      <strong>${goal.goal}:</strong> ${badge(goal.verdict.status)} ${goal.verdict.reason}
    </p>
    ${section(
      'arms',
      'Arms',
      html`${table(
        `${goal.goal}: each arm against control (95 % intervals)`,
        [
          'Arm',
          { label: 'Exposed', num: true },
          { label: 'Conversions', num: true },
          'Rate (interval)',
          'Absolute lift (interval)',
          'Relative lift (interval)',
          'Always-valid relative interval',
        ],
        html`<tr>
            <th scope="row">control</th>
            <td class="num">${count(goal.control.visitors)}</td>
            <td class="num">${count(goal.control.conversions)}</td>
            <td>${pct(goal.control.conversionRate)} (${rateRange(goal.control.rateInterval)})</td>
            <td>baseline</td>
            <td>baseline</td>
            <td>baseline</td>
          </tr>
          ${goal.variations.map(
            (v) =>
              html`<tr>
                <th scope="row">${v.variation}</th>
                <td class="num">${count(v.visitors)}</td>
                <td class="num">${count(v.conversions)}</td>
                <td>${pct(v.conversionRate)} (${rateRange(v.rateInterval)})</td>
                <td>
                  ${signedPoints(v.absoluteLift?.estimate)}
                  (${pointsRange(v.absoluteLift?.interval)})
                </td>
                <td>
                  ${signedPct(v.relativeLift?.estimate)} (${signedRange(v.relativeLift?.interval)})
                </td>
                <td>${signedRange(v.relativeLift?.sequentialInterval)}</td>
              </tr>`,
          )}`,
      )}
      ${
        withLift.length === 0
          ? html`<p class="muted">The lift chart appears once the control has a conversion.</p>`
          : forestPlot(
              withLift.map((v) => ({
                label: v.variation,
                estimate: v.relativeLift?.estimate ?? 0,
                interval: v.relativeLift?.interval ?? { low: 0, high: 0 },
                sequential: v.relativeLift?.sequentialInterval ?? null,
              })),
              `Relative lift over control for ${goal.goal}, with intervals`,
            )
      }`,
    )}
    ${section(
      'statistics',
      'Statistics',
      html`${table(
          'How sure: fixed-horizon, always-valid and Bayesian',
          [
            'Arm',
            { label: 'z-test p', num: true },
            { label: 'Always-valid p', num: true },
            { label: 'Holm-adjusted p', num: true },
            { label: 'Chance to beat control', num: true },
            { label: 'Expected loss', num: true },
          ],
          goal.variations.map(
            (v) =>
              html`<tr>
                <th scope="row">${v.variation}</th>
                <td class="num">${pValue(v.pValue)}</td>
                <td class="num">${pValue(v.sequentialPValue)}</td>
                <td class="num">${pValue(v.adjustedPValue)}</td>
                <td class="num">${pct(v.chanceToBeat)}</td>
                <td class="num">${pct(v.expectedLoss, 3)}</td>
              </tr>`,
          ),
        )}
        <p class="muted">
          Decisions use the always-valid p-value after Holm's correction across arms, so reading
          this page every day is safe. Method: ${report.method.sequential.method}, tuned for
          ${count(report.method.sequential.horizonPerArm)} visitors per arm;
          ${report.method.bayesian.prior} priors.
        </p>`,
    )}
  `
}

function healthSection(report: ExperienceReport, goal: GoalReport | undefined): SafeHtml {
  const srm = report.health.sampleRatio
  return html`<section aria-labelledby="health">
    <h2 id="health">Health</h2>
    <ul class="health">
      <li>
        <strong>Sample ratio:</strong>
        ${
          srm === null
            ? 'not checked yet (no visitors, or a single arm)'
            : html`${srm.mismatch ? badge('invalid') : badge('ok')} χ² =
              ${srm.chiSquare.toFixed(2)}, p = ${pValue(srm.pValue)} (flagged below
              ${srm.threshold});
              ${srm.arms.map(
                (a, i) =>
                  html`${i > 0 ? ', ' : ''}${a.variation} ${count(a.observed)} seen,
                  ${pct(a.expectedShare, 0)} expected`,
              )}`
        }
      </li>
      <li>
        <strong>Minimum sample:</strong>
        ${
          goal === undefined
            ? 'no goal'
            : html`${goal.minimumSample.met ? badge('ok') : badge('collecting')} every arm needs
              ${goal.minimumSample.exposed} exposed visitors and ${goal.minimumSample.conversions}
              conversions`
        }
      </li>
      <li>
        <strong>Attribution window:</strong> a conversion counts within
        ${report.attributionWindowDays} days of the first impression, once per visitor
      </li>
    </ul>
  </section>`
}
