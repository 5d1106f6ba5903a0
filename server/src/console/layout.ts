import { html, type HtmlValue, type SafeHtml } from './html.ts'
import type { Session } from './session.ts'

/** The console's sections, in the order of the navigation; `editors` only for editors. */
export const sections: readonly { path: string; label: string; editors?: true }[] = [
  { path: '/console/experiences', label: 'Experiences' },
  { path: '/console/segments', label: 'Segments' },
  { path: '/console/profiles', label: 'Profiles' },
  { path: '/console/preview', label: 'Preview' },
  { path: '/console/config', label: 'Config' },
  { path: '/console/publish', label: 'Publish', editors: true },
  { path: '/console/versions', label: 'Versions' },
  { path: '/console/audit', label: 'Audit log' },
]

/**
 * A whole console page: head, navigation with sign-out, and `body` in the main landmark.
 * `script` loads one of the console's own scripts (the editor's pages); every other page has none.
 */
export function page(options: {
  title: string
  session: Session | undefined
  current?: string
  body: HtmlValue
  script?: string
}): SafeHtml {
  const { title, session, current } = options
  const editor = session?.person?.role === 'editor'
  const nav =
    session === undefined
      ? ''
      : html`<nav aria-label="Console">
          <ul>
            ${sections
              .filter((section) => editor || section.editors !== true)
              .map(
                (section) =>
                  html`<li>
                    <a
                      href="${section.path}"
                      ${current === section.path ? html`aria-current="page"` : ''}
                      >${section.label}</a
                    >
                  </li>`,
              )}
          </ul>
          ${
            session.person === undefined
              ? ''
              : html`<p class="who">
                  Signed in as <strong>${session.person.name}</strong> (${session.person.role})
                </p>`
          }
          <form method="post" action="/console/sign-out">
            <input type="hidden" name="_csrf" value="${session.csrf}" />
            <button type="submit">Sign out</button>
          </form>
        </nav>`
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · Parley console</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/console/assets/console.css" />
        ${options.script === undefined ? '' : html`<script src="${options.script}" defer></script>`}
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
          <a class="brand" href="/console">Parley console</a>
          ${nav}
        </header>
        <main id="main">
          <h1>${title}</h1>
          ${options.body}
        </main>
      </body>
    </html>`
}

/** A verdict as a coloured badge with its text (colour is never the only signal). */
export function badge(status: string): SafeHtml {
  return html`<span class="badge badge-${status}">${status}</span>`
}

/** A titled section of a page: `<section>` labelled by its `<h2>`. */
export function section(id: string, title: string, body: HtmlValue): SafeHtml {
  return html`<section aria-labelledby="${id}">
    <h2 id="${id}">${title}</h2>
    ${body}
  </section>`
}

/** A column header; `num` right-aligns the column's numbers. */
export type Column = string | { label: string; num: true }

/** A data table with its caption and column headers; `rows` are the `<tr>`s of its body. */
export function table(caption: HtmlValue, columns: readonly Column[], rows: HtmlValue): SafeHtml {
  return html`<div class="scroll">
    <table>
      <caption>
        ${caption}
      </caption>
      <thead>
        <tr>
          ${columns.map((column) =>
            typeof column === 'string'
              ? html`<th scope="col">${column}</th>`
              : html`<th scope="col" class="num">${column.label}</th>`,
          )}
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>
  </div>`
}

/** `items` rendered by `render`, or the `empty` sentence when there are none. */
export function orEmpty<T>(
  items: readonly T[],
  empty: string,
  render: (items: readonly T[]) => HtmlValue,
): HtmlValue {
  return items.length === 0 ? html`<p>${empty}</p>` : render(items)
}
