import type { Impression } from '../../measurement/exposure.ts'
import type { ProfileView } from '../../profile/profile-view.ts'
import type { StoredEvent } from '../../profile/profile.ts'
import { when } from '../format.ts'
import { html, href, type SafeHtml } from '../html.ts'
import { searchKinds, type ProfileHit, type SearchKind } from '../profile-search.ts'
import { orEmpty, section, table } from '../layout.ts'
import type { Session } from '../session.ts'
import type { TraitLeaf } from '../trait-leaves.ts'

const kindLabels: Record<SearchKind, string> = {
  userId: 'User id',
  email: 'Email',
  anonymousId: 'Anonymous id (device)',
  account: 'Account (id, company id or domain)',
}

/** The search form and, after a search, its results. */
export function profileSearch(
  kind: SearchKind,
  query: string,
  hits: readonly ProfileHit[] | undefined,
): SafeHtml {
  return html`<form method="get" action="/console/profiles" class="search">
      <label for="by">Search by</label>
      <select id="by" name="by">
        ${searchKinds.map(
          (k) =>
            html`<option value="${k}" ${k === kind ? html`selected` : ''}>
              ${kindLabels[k]}
            </option>`,
        )}
      </select>
      <label for="q">Value</label>
      <input id="q" name="q" value="${query}" required />
      <button type="submit">Search</button>
    </form>
    ${
      hits === undefined
        ? ''
        : hits.length === 0
          ? html`<p role="status">No profile found.</p>`
          : html`<table>
              <caption>
                ${hits.length} profile${hits.length === 1 ? '' : 's'} found
              </caption>
              <thead>
                <tr>
                  <th scope="col">Profile</th>
                  <th scope="col">User id</th>
                  <th scope="col">Email</th>
                </tr>
              </thead>
              <tbody>
                ${hits.map(
                  (h) =>
                    html`<tr>
                      <td><a href="/console/profiles/${encodeURIComponent(h.id)}">${h.id}</a></td>
                      <td>${h.userId ?? 'anonymous'}</td>
                      <td>${h.email ?? ''}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
    }`
}

function value(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v)
}

/** A profile: traits with when each was set, devices, account, merge log, events, actions. */
export function profileDetail(options: {
  view: ProfileView
  traits: readonly TraitLeaf[]
  events: readonly StoredEvent[]
  impressions: readonly Impression[]
  session: Session
}): SafeHtml {
  const { view } = options
  const id = encodeURIComponent(view.id)
  return html`
    <dl class="facts">
      <dt>Profile id</dt>
      <dd><code>${view.id}</code></dd>
      <dt>User id</dt>
      <dd>${view.userId ?? 'anonymous'}</dd>
      <dt>First seen</dt>
      <dd>${when(view.visitor.firstSeenAt)}</dd>
      <dt>Last seen</dt>
      <dd>${when(view.visitor.lastSeenAt)}</dd>
      <dt>Page views · sessions · events</dt>
      <dd>${view.visitor.pageViews} · ${view.visitor.sessions ?? 0} · ${view.visitor.events}</dd>
    </dl>
    <p class="actions">
      <a class="button" href="/console/profiles/${id}/export" download="profile-${view.id}.json"
        >Export (JSON)</a
      >
      ${
        options.session.person?.role === 'editor'
          ? html`<a class="button danger" href="/console/profiles/${id}/delete">Delete…</a>`
          : ''
      }
      <a class="button" href="${href('/console/preview', { profile: view.id })}"
        >Preview as this visitor</a
      >
    </p>
    ${section(
      'traits',
      'Traits',
      orEmpty(options.traits, 'No traits.', (traits) =>
        table(
          'Every trait, and when it was set',
          ['Trait', 'Value', 'Set at'],
          traits.map(
            (t) =>
              html`<tr>
                <th scope="row"><code>${t.path}</code></th>
                <td class="value">${value(t.value)}</td>
                <td>${when(t.at)}</td>
              </tr>`,
          ),
        ),
      ),
    )}
    ${section(
      'devices',
      'Devices',
      html`<ul>
        ${view.anonymousIds.map((a) => html`<li><code>${a}</code></li>`)}
      </ul>`,
    )}
    ${section(
      'account',
      'Account',
      view.account === null
        ? html`<p>No company account.</p>`
        : html`<p>
              <code>${view.account.id}</code> (linked by ${view.account.link.source},
              ${when(view.account.link.at)}); keys: ${view.account.keys.join(', ')}
            </p>
            ${table(
              'Company traits',
              ['Trait', 'Value'],
              Object.entries(view.account.traits).map(
                ([k, v]) =>
                  html`<tr>
                    <th scope="row"><code>${k}</code></th>
                    <td class="value">${value(v)}</td>
                  </tr>`,
              ),
            )}`,
    )}
    ${section(
      'merges',
      'Identity timeline',
      orEmpty(
        view.mergeLog,
        'No identity changes.',
        (entries) =>
          html`<ol class="timeline">
            ${entries.map(
              (entry) =>
                html`<li>
                  <time datetime="${entry.at}">${when(entry.at)}</time>
                  <strong>${entry.kind}</strong>: ${entry.reason}
                  ${entry.anonymousId === null ? '' : html` · device <code>${entry.anonymousId}</code>`}
                  ${entry.userId === null ? '' : html` · user <code>${entry.userId}</code>`}
                  ${
                    entry.fromProfileId === null
                      ? ''
                      : html` · from profile <code>${entry.fromProfileId}</code>`
                  }
                </li>`,
            )}
          </ol>`,
      ),
    )}
    ${section(
      'experiences-seen',
      'Experiences seen',
      orEmpty(
        options.impressions,
        'None yet.',
        (impressions) =>
          html`<ul>
            ${impressions.map(
              (i) =>
                html`<li>
                  <a href="/console/experiences/${encodeURIComponent(i.experienceId)}"
                    >${i.experienceId}</a
                  >: ${i.variation}, first shown ${when(i.at)}
                </li>`,
            )}
          </ul>`,
      ),
    )}
    ${section(
      'events',
      'Recent events',
      orEmpty(options.events, 'No events.', (events) =>
        table(
          `The latest ${events.length} page views and track events, newest first`,
          ['When', 'Type', 'Name or page'],
          events.map(
            (e) =>
              html`<tr>
                <td>${when(e.at)}</td>
                <td>${e.type}</td>
                <td class="value">
                  ${e.name ?? value(e.properties.path ?? e.properties.url ?? '')}
                </td>
              </tr>`,
          ),
        ),
      ),
    )}
  `
}

/** The delete confirmation: says what goes, asks to type the id. */
export function deleteConfirmation(view: ProfileView, session: Session, error?: string): SafeHtml {
  if (session.person?.role !== 'editor') {
    return html`<p class="notice">
      Only an editor can delete a profile: you are signed in as a viewer.
      <a href="/console/profiles/${encodeURIComponent(view.id)}">Back to the profile</a>
    </p>`
  }
  return html`<p>
      Deleting erases this person's profile, traits, events, merge log and experiment records, and
      suppresses their identifiers: nothing about them is recorded again. This cannot be undone.
    </p>
    ${error === undefined ? '' : html`<p class="error" role="alert">${error}</p>`}
    <form method="post" action="/console/profiles/${encodeURIComponent(view.id)}/delete">
      <input type="hidden" name="_csrf" value="${session.csrf}" />
      <label for="confirm">Type the profile id <code>${view.id}</code> to confirm</label>
      <input id="confirm" name="confirm" autocomplete="off" required />
      <button type="submit" class="danger">Delete this person</button>
      <a href="/console/profiles/${encodeURIComponent(view.id)}">Cancel</a>
    </form>`
}
