import { stringify } from 'yaml'
import type { ConfigVersionMeta } from '../../config-versions/config-version.ts'
import type { ConfigDiff } from '../../config-versions/config-diff.ts'
import type { PersonalizationConfig } from '../../personalization/config-schema.ts'
import type { BucketImpact } from '../../personalization/bucket-impact.ts'
import { diffInWords, type DiffLine } from '../diff-words.ts'
import type { EditAccess } from '../edit-access.ts'
import { when } from '../format.ts'
import { html, href, type SafeHtml } from '../html.ts'
import { orEmpty, section, table } from '../layout.ts'
import type { HistoryEntry } from '../config-history.ts'
import { readOnlyNotice } from './editor-pages.ts'

/** How a version came to be, in words. */
export function versionKind(version: ConfigVersionMeta): string {
  switch (version.kind) {
    case 'publish':
      return 'published'
    case 'rollback':
      return `rolled back to version ${String(version.restoredFrom)}`
    case 'seed':
      return 'seeded from the file'
    case 'import':
      return 'imported (parley config import)'
  }
}

/** A form that rolls back to `version`, made from `latest` (the server refuses a stale one). */
function rollbackForm(options: {
  version: number
  latest: number
  csrf: string
  note?: boolean
  confirmMoves?: boolean
  label?: string
}): SafeHtml {
  return html`<form
    method="post"
    action="/console/versions/${options.version}/rollback"
    class="inline-form"
  >
    <input type="hidden" name="_csrf" value="${options.csrf}" />
    <input type="hidden" name="baseVersion" value="${options.latest}" />
    ${options.confirmMoves === true ? html`<input type="hidden" name="confirmMoves" value="true" />` : ''}
    ${
      options.note === true
        ? html`<label for="note">Note (why you roll back; optional)</label>
            <input id="note" name="note" maxlength="2000" />`
        : ''
    }
    <button type="submit">
      ${options.label ?? html`Roll back<span class="visually-hidden"> to version ${options.version}</span>`}
    </button>
  </form>`
}

/** The version history: who published what and when, with a rollback per earlier version. */
export function versionsPage(options: {
  versions: readonly HistoryEntry[]
  next: number | null
  latest: number | null
  access: EditAccess
  csrf: string
  rolledBack: ConfigVersionMeta | undefined
}): SafeHtml {
  const { latest, access } = options
  const done = options.rolledBack
  return html`${
      done === undefined
        ? ''
        : html`<p role="status" class="notice success">
            Version ${done.number} restores version ${String(done.restoredFrom)}: every server
            serves it within two seconds.
          </p>`
    }
    ${readOnlyNotice(access)}
    <p>
      Every change to the config is a version. Rolling back makes a new version equal to an earlier
      one, so the history keeps both. What each version changed is in
      <a href="/console/audit">the audit log</a> too.
    </p>
    ${orEmpty(options.versions, 'No version yet.', (versions) =>
      table(
        'Versions of the config, newest first',
        [
          'Version',
          'When',
          'By',
          'How',
          'What changed',
          'Note',
          ...(access.editable ? ['Roll back'] : []),
        ],
        versions.map(
          (version) =>
            html`<tr>
              <th scope="row">
                <a href="/console/versions/${version.number}">${version.number}</a>
                ${version.number === latest ? html`<span class="badge badge-ok">in force</span>` : ''}
              </th>
              <td class="nowrap">${when(version.at)}</td>
              <td>${version.author}</td>
              <td>${versionKind(version)}</td>
              <td>${version.summary}</td>
              <td class="value">${version.note}</td>
              ${
                access.editable
                  ? html`<td>
                      ${
                        version.number === latest || latest === null
                          ? ''
                          : rollbackForm({ version: version.number, latest, csrf: options.csrf })
                      }
                    </td>`
                  : ''
              }
            </tr>`,
        ),
      ),
    )}
    ${
      options.next === null
        ? ''
        : html`<p>
            <a href="${href('/console/versions', { before: String(options.next) })}"
              >Older versions</a
            >
          </p>`
    }`
}

/** A diff as nested lists, each item linked to its editor unless it was removed. */
export function diffList(lines: readonly DiffLine[]): SafeHtml {
  return html`<ul class="diff">
    ${lines.map(
      (line) =>
        html`<li>${line.text} ${line.children === undefined ? '' : diffList(line.children)}</li>`,
    )}
  </ul>`
}

/** One version: who, when, its note, what it changed from the one before, and the config. */
export function versionPage(options: {
  version: ConfigVersionMeta
  document: PersonalizationConfig
  previous: number | null
  diff: ConfigDiff
  impacts: readonly BucketImpact[]
  latest: number | null
  access: EditAccess
  csrf: string
}): SafeHtml {
  const { version, latest, access } = options
  const lines = diffInWords(options.diff)
  return html`${readOnlyNotice(access)}
    <dl class="facts">
      <dt>When</dt>
      <dd>${when(version.at)}</dd>
      <dt>By</dt>
      <dd>${version.author}</dd>
      <dt>How</dt>
      <dd>
        ${versionKind(version)}${
          version.baseVersion === null ? '' : html`, made from version ${version.baseVersion}`
        }
      </dd>
      <dt>Note</dt>
      <dd class="value">${version.note === '' ? 'none' : version.note}</dd>
      <dt>In force</dt>
      <dd>
        ${version.number === latest ? 'yes: this is the newest version' : html`no: version ${String(latest)} is`}
      </dd>
    </dl>
    ${section(
      'changes',
      options.previous === null ? 'What it holds' : `Changes from version ${options.previous}`,
      lines.length === 0 ? html`<p>No change.</p>` : diffList(lines),
    )}
    ${
      options.impacts.length === 0
        ? ''
        : section(
            'impacts',
            'What it did to visitors',
            html`<ul>
              ${options.impacts.map((impact) => html`<li>${impact.message}</li>`)}
            </ul>`,
          )
    }
    ${
      access.editable && latest !== null && version.number !== latest
        ? section(
            'rollback',
            'Roll back',
            html`<p>
                Makes a new version, ${latest + 1}, with this version's config; every server serves
                it within two seconds.
              </p>
              ${rollbackForm({
                version: version.number,
                latest,
                csrf: options.csrf,
                note: true,
                label: `Roll back to version ${version.number}`,
              })}`,
          )
        : ''
    }
    ${section(
      'document',
      `The config of version ${version.number}`,
      html`<details>
        <summary>Show it as YAML</summary>
        <pre tabindex="0"><code>${stringify(options.document)}</code></pre>
      </details>`,
    )}`
}

/**
 * A rollback the server will only make once confirmed: it moves visitors who already have a
 * bucket (a variation the earlier version lacks). Says who moves and asks again.
 */
export function rollbackConfirmation(options: {
  version: number
  latest: number
  impacts: readonly { message: string; movesRecordedVisitors: boolean }[]
  csrf: string
}): SafeHtml {
  return html`<p class="notice" role="alert">
      Rolling back to version ${options.version} moves visitors who already saw a variation:
    </p>
    <ul>
      ${options.impacts
        .filter((impact) => impact.movesRecordedVisitors)
        .map((impact) => html`<li>${impact.message}</li>`)}
    </ul>
    <p>Nothing was changed. Roll back anyway?</p>
    <div class="actions">
      ${rollbackForm({
        version: options.version,
        latest: options.latest,
        csrf: options.csrf,
        confirmMoves: true,
        label: `Roll back to version ${options.version} anyway`,
      })}
      <a class="button" href="/console/versions">Cancel</a>
    </div>`
}
