import type { AuditEntry } from '../../audit/audit-entry.ts'
import { when } from '../format.ts'
import { html, href, type SafeHtml } from '../html.ts'
import { orEmpty, table } from '../layout.ts'

const actionWords: Record<AuditEntry['action'], string> = {
  publish: 'published',
  rollback: 'rolled back',
  seed: 'seeded',
  import: 'imported',
  status: 'changed a status',
  'user.add': 'added a person',
  'user.update': 'changed a person',
  'user.remove': 'removed a person',
}

/** The audit log: every publish, rollback, status change, import and change of people. */
export function auditPage(options: {
  entries: readonly AuditEntry[]
  next: number | null
}): SafeHtml {
  const versionLink = (number: number | null) =>
    number === null
      ? '–'
      : html`<a href="/console/versions/${number}"
          ><span class="visually-hidden">version </span>${number}</a
        >`
  return html`<p>
      Who changed what, newest first: every publish, rollback and status change of the config, and
      every person added, changed or removed with <code>parley user</code>.
    </p>
    ${orEmpty(options.entries, 'Nothing has been recorded yet.', (entries) =>
      table(
        'Audit log, newest first',
        ['When', 'Who', 'Did', 'Versions', 'About', 'What changed'],
        entries.map(
          (entry) =>
            html`<tr>
              <td class="nowrap">${when(entry.at)}</td>
              <td>${entry.actor}</td>
              <td>${actionWords[entry.action]}</td>
              <td>
                ${
                  entry.toVersion === null
                    ? '–'
                    : html`${versionLink(entry.fromVersion)} → ${versionLink(entry.toVersion)}`
                }
              </td>
              <td>${entry.subject ?? ''}</td>
              <td class="value">${entry.summary}</td>
            </tr>`,
        ),
      ),
    )}
    ${
      options.next === null
        ? ''
        : html`<p>
            <a href="${href('/console/audit', { before: String(options.next) })}">Older entries</a>
          </p>`
    }`
}
