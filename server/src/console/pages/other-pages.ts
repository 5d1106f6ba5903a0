import { stringify } from 'yaml'
import type { Decision } from '../../personalization/evaluate.ts'
import type { ConfigRejection } from '../../personalization/engine.ts'
import type { PersonalizationConfig } from '../../personalization/config-schema.ts'
import type { ConfigVersionMeta } from '../../config-versions/config-version.ts'
import type { PinnedToFile } from '../../config-versions/live-config.ts'
import { when } from '../format.ts'
import { html, type SafeHtml } from '../html.ts'

/**
 * The sign-in form: a person's name and password, or the operator's admin token. Secrets go in
 * the POST body only, never in a URL.
 */
export function signInPage(error: string | undefined): SafeHtml {
  return html`${error === undefined ? '' : html`<p class="error" role="alert">${error}</p>`}
    <form method="post" action="/console/sign-in" class="sign-in">
      <label for="name">User name</label>
      <input id="name" name="name" autocomplete="username" autofocus />
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="current-password" />
      <p class="muted">Operators: leave these empty and give the admin token instead.</p>
      <label for="token">Admin token</label>
      <input id="token" name="token" type="password" autocomplete="off" />
      <button type="submit">Sign in</button>
    </form>
    <p class="muted">
      Your operator adds you with <code>parley user add</code>. The token is the container's
      <code>PARLEY_ADMIN_TOKEN</code>.
    </p>`
}

/** What the preview form holds. */
export interface PreviewForm {
  profile: string
  userTraits: string
  companyTraits: string
  url: string
  device: 'desktop' | 'mobile' | 'tablet'
}

/** The preview: the form, and what that visitor would see (nothing is recorded). */
export function previewPage(
  form: PreviewForm,
  result: { decision: Decision; who: string } | { error: string } | undefined,
): SafeHtml {
  return html`<p>
      What a visitor would see on a page: pick a profile (its id, user id or anonymous id), or type
      traits. Nothing is recorded.
    </p>
    <form method="get" action="/console/preview" class="preview">
      <label for="profile"
        >Profile (id, user id or anonymous id; empty to use the traits below)</label
      >
      <input id="profile" name="profile" value="${form.profile}" />
      <label for="userTraits">User traits (JSON)</label>
      <textarea id="userTraits" name="userTraits" rows="3">${form.userTraits}</textarea>
      <label for="companyTraits">Company traits (JSON)</label>
      <textarea id="companyTraits" name="companyTraits" rows="3">${form.companyTraits}</textarea>
      <label for="url">Page URL</label>
      <input id="url" name="url" value="${form.url}" required />
      <label for="device">Device</label>
      <select id="device" name="device">
        ${(['desktop', 'mobile', 'tablet'] as const).map(
          (d) =>
            html`<option value="${d}" ${d === form.device ? html`selected` : ''}>${d}</option>`,
        )}
      </select>
      <button type="submit">Preview</button>
    </form>
    ${
      result === undefined
        ? ''
        : 'error' in result
          ? html`<p class="error" role="alert">${result.error}</p>`
          : html`<section aria-labelledby="preview-result" class="card">
              <h2 id="preview-result">${result.who} on ${form.url} (${form.device})</h2>
              <p>
                <strong>Segments:</strong>
                ${result.decision.segments.length === 0 ? 'none' : result.decision.segments.join(', ')}
              </p>
              ${
                result.decision.experiences.length === 0
                  ? html`<p>
                      <strong>Experiences:</strong> none: the page shows its default content.
                    </p>`
                  : html`<table>
                      <caption>
                        Experiences shown and their content
                      </caption>
                      <thead>
                        <tr>
                          <th scope="col">Experience</th>
                          <th scope="col">Variation</th>
                          <th scope="col">Slot</th>
                          <th scope="col">Rendered text</th>
                        </tr>
                      </thead>
                      <tbody>
                        ${result.decision.experiences.map((e) => {
                          const slots = Object.entries(e.content)
                          if (slots.length === 0) {
                            return html`<tr>
                              <th scope="row">${e.id}</th>
                              <td>${e.variation}</td>
                              <td colspan="2">
                                ${e.control ? 'control: the default page' : 'no slot rendered'}
                              </td>
                            </tr>`
                          }
                          return slots.map(
                            ([slot, text]) =>
                              html`<tr>
                                <th scope="row">${e.id}</th>
                                <td>${e.variation}</td>
                                <td><code>${slot}</code></td>
                                <td class="value">${text}</td>
                              </tr>`,
                          )
                        })}
                      </tbody>
                    </table>`
              }
            </section>`
    }`
}

/**
 * The config in force and where it comes from: the newest version in the store (with who
 * published it, and whether this instance serves it yet), or the file it is pinned to (with the
 * reason and any refused change of the file).
 */
export function configPage(options: {
  file: string
  loadedAt: number
  source: PersonalizationConfig
  rejected: ConfigRejection | undefined
  pinned: PinnedToFile | undefined
  /** The newest version in the store (store mode). */
  version: ConfigVersionMeta | undefined
  /** The version this instance serves now (store mode). */
  inForce: number | undefined
}): SafeHtml {
  const { rejected, version } = options
  return html`<dl class="facts">
      <dt>Source</dt>
      ${
        options.pinned === undefined
          ? html`<dd>The config store: edited in the console, live on every instance</dd>`
          : html`<dd><code>${options.file}</code> (<code>PARLEY_CONFIG</code>), read-only here</dd>
              <dt>Why read-only</dt>
              <dd>${options.pinned.reason}</dd>`
      }
      ${
        version === undefined
          ? ''
          : html`<dt>Version</dt>
              <dd>
                ${version.number} (${version.kind}) by ${version.author},
                ${when(version.at)}${version.note === '' ? '' : html`: ${version.note}`} (<a
                  href="/console/versions"
                  >every version</a
                >)
              </dd>`
      }
      <dt>In force here since</dt>
      <dd>
        ${when(options.loadedAt)}${
          version !== undefined && options.inForce !== version.number
            ? html` (this instance still serves version ${String(options.inForce)}; it loads
              ${version.number} within seconds)`
            : ''
        }
      </dd>
      <dt>Contents</dt>
      <dd>
        ${options.source.segments.length} segments, ${options.source.experiences.length}
        experiences, attribution window ${options.source.attributionWindowDays} days
      </dd>
    </dl>
    ${
      options.pinned === undefined
        ? ''
        : rejected === undefined
          ? html`<p role="status">No change has been refused since the container started.</p>`
          : html`<section aria-labelledby="refused" class="card">
              <h2 id="refused">
                ${
                  rejected.at > options.loadedAt
                    ? 'The last change was refused'
                    : 'An earlier change was refused (a good one has loaded since)'
                }
              </h2>
              <p>
                At ${when(rejected.at)};
                ${
                  rejected.at > options.loadedAt
                    ? 'the config below stays in force until the file is fixed.'
                    : 'shown for reference.'
                }
              </p>
              <ul class="issues">
                ${rejected.issues.map((issue) => html`<li><code>${issue}</code></li>`)}
              </ul>
            </section>`
    }
    <section aria-labelledby="in-force">
      <h2 id="in-force">
        The config${version === undefined ? ' in force' : ` of version ${version.number}`}
      </h2>
      <pre tabindex="0"><code>${stringify(options.source)}</code></pre>
    </section>`
}
