import { Router, type Request, type Response } from 'express'
import { z } from 'zod'
import { diffConfigs } from '../config-versions/config-diff.ts'
import { versionMeta } from '../config-versions/config-version.ts'
import { rollbackConfig } from '../config-versions/publish-config.ts'
import { parseWith } from '../contract/parse-with.ts'
import { AppError } from '../errors/app-error.ts'
import { bucketImpacts } from '../personalization/bucket-impact.ts'
import { notPinned } from './api/console-api-routes.ts'
import type { ConsoleDeps } from './console-routes.ts'
import { send } from './console-routes.ts'
import { editAccess } from './edit-access.ts'
import { editorCsp, editorScriptPath } from './editor-assets.ts'
import type { HtmlValue } from './html.ts'
import { page } from './layout.ts'
import { auditPage } from './pages/audit-page.ts'
import { editorShell, type EditorView } from './pages/editor-pages.ts'
import { rollbackConfirmation, versionPage, versionsPage } from './pages/versions-page.ts'
import { requireRole } from './require-role.ts'
import type { Session } from './session.ts'
import { readAudit, readHistory } from './config-history.ts'

const itemQuery = z.object({ id: z.string().max(100).optional() })
const pageQuery = z.object({
  before: z.coerce.number().int().positive().optional(),
  rolledBack: z.coerce.number().int().positive().optional(),
})
const versionNumber = z.coerce.number().int().positive()
const rollbackForm = z.object({
  baseVersion: z.coerce.number().int().positive(),
  note: z.string().max(2_000).optional().default(''),
  confirmMoves: z.literal('true').optional(),
})

/** Versions and audit entries a page lists. */
const perPage = 25

/**
 * The console's authoring pages: the segment builder, the experience editor and the publish
 * step (shells the editor's script fills, with the editor's CSP), and the version history with
 * rollback and the audit log (server-rendered, no script).
 */
export function authoringPages(deps: ConsoleDeps): Router {
  const router = Router()
  const render = (
    res: Response,
    title: string,
    current: string,
    body: HtmlValue,
    options: { status?: number; script?: string } = {},
  ) =>
    send(
      res,
      options.status ?? 200,
      page({
        title,
        session: session(res),
        current,
        body,
        ...(options.script === undefined ? {} : { script: options.script }),
      }),
    )

  const editor =
    (view: EditorView, noun: string, current: string) => (req: Request, res: Response) => {
      const { id } = parseWith(itemQuery, req.query, 'query')
      const access = editAccess(session(res), deps.liveConfig)
      const title =
        view === 'publish'
          ? 'Review and publish'
          : id === undefined
            ? `New ${noun}`
            : `${noun[0]?.toUpperCase() ?? ''}${noun.slice(1)} ${id}`
      res.set('Content-Security-Policy', editorCsp)
      render(res, title, current, editorShell({ view, id, access }), { script: editorScriptPath })
    }
  router.get('/console/edit/segment', editor('segment', 'segment', '/console/segments'))
  router.get('/console/edit/experience', editor('experience', 'experience', '/console/experiences'))
  router.get('/console/publish', editor('publish', '', '/console/publish'))

  router.get('/console/versions', async (req, res) => {
    const query = parseWith(pageQuery, req.query, 'query')
    const { history, latest, rolledBack } = await deps.store.read(async (reader) => ({
      history: await readHistory(reader, query.before ?? null, perPage),
      latest: (await reader.latestConfigVersion())?.number ?? null,
      rolledBack:
        query.rolledBack === undefined ? undefined : await reader.configVersion(query.rolledBack),
    }))
    render(
      res,
      'Versions',
      '/console/versions',
      versionsPage({
        ...history,
        latest,
        access: editAccess(session(res), deps.liveConfig),
        csrf: session(res).csrf,
        rolledBack: rolledBack?.kind === 'rollback' ? versionMeta(rolledBack) : undefined,
      }),
    )
  })

  router.get('/console/versions/:number', async (req, res) => {
    const number = parseWith(versionNumber, req.params.number, 'params.number')
    const found = await deps.store.read(async (reader) => {
      const version = await reader.configVersion(number)
      if (version === undefined) return undefined
      const previous = number > 1 ? await reader.configVersion(number - 1) : undefined
      return { version, previous, latest: (await reader.latestConfigVersion())?.number ?? null }
    })
    if (found === undefined) {
      throw new AppError('config_version_not_found', `There is no config version ${number}`, {
        path: 'params.number',
      })
    }
    const { version, previous, latest } = found
    render(
      res,
      `Version ${number}`,
      '/console/versions',
      versionPage({
        version: versionMeta(version),
        document: version.document,
        previous: previous?.number ?? null,
        diff: diffConfigs(previous?.document, version.document),
        impacts: previous === undefined ? [] : bucketImpacts(previous.document, version.document),
        latest,
        access: editAccess(session(res), deps.liveConfig),
        csrf: session(res).csrf,
      }),
    )
  })

  // A rollback from the history, as a plain form: no script needed.
  router.post(
    '/console/versions/:number/rollback',
    requireRole('editor'),
    notPinned(deps),
    async (req, res) => {
      const number = parseWith(versionNumber, req.params.number, 'params.number')
      const form = parseWith(rollbackForm, req.body ?? {}, 'body')
      const person = session(res).person
      try {
        const published = await deps.store.transaction((tx) =>
          rollbackConfig(tx, {
            author: person?.name ?? 'operator',
            at: deps.clock(),
            note: form.note.trim(),
            to: number,
            baseVersion: form.baseVersion,
            confirmMoves: form.confirmMoves === 'true',
          }),
        )
        // In force here before the answer, as the API's publish is.
        await deps.liveConfig.refresh()
        deps.logger.info(
          { version: published.version.number, author: published.version.author },
          'console rolled back the config',
        )
        res.redirect(303, `/console/versions?rolledBack=${published.version.number}`)
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== 'confirmation_required') throw error
        const details = error.details as
          { impacts?: { message: string; movesRecordedVisitors: boolean }[] } | undefined
        render(
          res,
          `Roll back to version ${number}?`,
          '/console/versions',
          rollbackConfirmation({
            version: number,
            latest: form.baseVersion,
            impacts: details?.impacts ?? [],
            csrf: session(res).csrf,
          }),
          { status: 409 },
        )
      }
    },
  )

  router.get('/console/audit', async (req, res) => {
    const query = parseWith(pageQuery, req.query, 'query')
    const { entries, next } = await deps.store.read((reader) =>
      readAudit(reader, query.before ?? null, perPage),
    )
    render(res, 'Audit log', '/console/audit', auditPage({ entries, next }))
  })
  return router
}

function session(res: Response): Session {
  return res.locals.session as Session
}
