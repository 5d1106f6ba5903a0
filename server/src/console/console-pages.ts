import { Router, type Request, type Response } from 'express'
import { z } from 'zod'
import { AppError } from '../errors/app-error.ts'
import { readDailySeries, readExperienceReport } from '../measurement/read-experience-report.ts'
import { eraseProfile } from '../privacy/erase-profile.ts'
import { exportProfile } from '../privacy/export-profile.ts'
import { readProfileView } from '../profile/profile-view.ts'
import { findExperience } from '../routes/report-routes.ts'
import { measureAudiences } from './audience.ts'
import type { ConsoleDeps } from './console-routes.ts'
import { send } from './console-routes.ts'
import { html, type HtmlValue } from './html.ts'
import { page } from './layout.ts'
import { experienceResults, experiencesList } from './pages/experiences-page.ts'
import { configPage, previewPage, type PreviewForm } from './pages/other-pages.ts'
import { deleteConfirmation, profileDetail, profileSearch } from './pages/profiles-page.ts'
import { segmentsPage } from './pages/segments-page.ts'
import { previewVisitor } from './preview-visitor.ts'
import { requireRole } from './require-role.ts'
import { editAccess } from './edit-access.ts'
import { versionMeta } from '../config-versions/config-version.ts'
import type { Decision } from '../personalization/evaluate.ts'
import { searchKinds, searchProfiles } from './profile-search.ts'
import type { Session } from './session.ts'
import { traitLeaves } from './trait-leaves.ts'

const text = (max: number) => z.string().max(max).optional().default('')
const searchQuery = z.object({ by: z.enum(searchKinds).optional().default('userId'), q: text(400) })
const previewQuery = z.object({
  profile: text(400),
  userTraits: text(8000),
  companyTraits: text(8000),
  url: text(2000),
  device: z.enum(['desktop', 'mobile', 'tablet']).optional().default('desktop'),
})

/** Events a profile page lists, newest first. */
const recentEvents = 50

/** The signed-in console pages (the session check runs before these). */
export function consolePages(deps: ConsoleDeps): Router {
  const router = Router()
  const render = (res: Response, title: string, current: string, body: HtmlValue, status = 200) =>
    send(res, status, page({ title, session: session(res), current, body }))

  router.get('/console', (_req, res) => res.redirect(303, '/console/experiences'))

  router.get('/console/experiences', async (_req, res) => {
    const engine = deps.personalization.engine
    const source = new Map(engine.source.experiences.map((e) => [e.id, e]))
    const rows = await deps.store.read(async (reader) => {
      const out = []
      for (const experience of engine.config.experiences) {
        const report = await readExperienceReport(
          reader,
          experience,
          engine.config.attributionWindowMs,
        )
        out.push({ source: source.get(experience.id), report })
      }
      return out
    })
    render(
      res,
      'Experiences',
      '/console/experiences',
      experiencesList(rows, editAccess(session(res), deps.liveConfig)),
    )
  })

  router.get('/console/experiences/:id', async (req, res) => {
    const engine = deps.personalization.engine
    const experience = findExperience(deps.personalization, req.params.id)
    const window = engine.config.attributionWindowMs
    const wanted = typeof req.query.goal === 'string' ? req.query.goal : undefined
    const { report, daily } = await deps.store.read(async (reader) => {
      const report = await readExperienceReport(reader, experience, window)
      const goal = report.goals.find((g) => g.goal === wanted) ?? report.goals[0]
      return { report, daily: await readDailySeries(reader, experience, goal?.goal ?? '', window) }
    })
    const goal = report.goals.find((g) => g.goal === wanted) ?? report.goals[0]
    const source = engine.source.experiences.find((e) => e.id === experience.id)
    render(
      res,
      `Experience ${experience.id}`,
      '/console/experiences',
      experienceResults({
        report,
        source,
        goal,
        daily,
        access: editAccess(session(res), deps.liveConfig),
      }),
    )
  })

  router.get('/console/segments', async (_req, res) => {
    const engine = deps.personalization.engine
    const audiences = await deps.store.read((reader) =>
      measureAudiences(reader, engine.config, deps.clock()),
    )
    render(
      res,
      'Segments',
      '/console/segments',
      segmentsPage(engine.source, audiences, editAccess(session(res), deps.liveConfig)),
    )
  })

  router.get('/console/profiles', async (req, res) => {
    const query = parseQuery(searchQuery, req.query)
    const hits =
      query.q.trim() === ''
        ? undefined
        : await deps.store.read((reader) => searchProfiles(reader, query.by, query.q))
    render(res, 'Profiles', '/console/profiles', profileSearch(query.by, query.q, hits))
  })

  router.get('/console/profiles/:id', async (req, res) => {
    const id = String(req.params.id)
    const found = await deps.store.read(async (reader) => {
      const [view, profile] = [await readProfileView(reader, id), await reader.profile(id)]
      if (view === undefined || profile === undefined) return undefined
      const events = await reader.events(id, 100_000)
      return {
        view,
        traits: traitLeaves(profile.traits),
        events: events.slice(-recentEvents).reverse(),
        impressions: await reader.impressions(id),
      }
    })
    if (found === undefined) throw notFound()
    render(
      res,
      `Profile ${found.view.userId ?? 'anonymous'}`,
      '/console/profiles',
      profileDetail({ ...found, session: session(res) }),
    )
  })

  router.get('/console/profiles/:id/export', async (req, res) => {
    const id = String(req.params.id)
    const exported = await deps.store.read((reader) => exportProfile(reader, id, deps.clock()))
    if (exported === undefined) throw notFound()
    res.set(
      'Content-Disposition',
      `attachment; filename="profile-${id.replace(/[^\w.-]/g, '_')}.json"`,
    )
    res.json(exported)
  })

  router.get('/console/profiles/:id/delete', async (req, res) => {
    const view = await deps.store.read((reader) => readProfileView(reader, String(req.params.id)))
    if (view === undefined) throw notFound()
    render(res, 'Delete this person?', '/console/profiles', deleteConfirmation(view, session(res)))
  })

  router.post('/console/profiles/:id/delete', requireRole('editor'), async (req, res) => {
    const id = String(req.params.id)
    const confirm = (req.body as Record<string, unknown> | undefined)?.confirm
    if (confirm !== id) {
      const view = await deps.store.read((reader) => readProfileView(reader, id))
      if (view === undefined) throw notFound()
      const message = 'The id you typed does not match: nothing was deleted.'
      return render(
        res,
        'Delete this person?',
        '/console/profiles',
        deleteConfirmation(view, session(res), message),
        400,
      )
    }
    // The privacy API's own erase: profile, devices, events, merge log; identifiers suppressed.
    const erased = await deps.store.transaction((tx) => eraseProfile(tx, id, deps.clock()))
    if (erased === undefined) throw notFound()
    deps.logger.info({ profileId: id }, 'console deleted a profile')
    render(
      res,
      'Deleted',
      '/console/profiles',
      html`<p role="status">
          Deleted profile <code>${id}</code>: ${erased.anonymousIds} devices, ${erased.events}
          events and ${erased.mergeLog} merge-log entries; its identifiers are suppressed.
        </p>
        <p><a href="/console/profiles">Back to profiles</a></p>`,
    )
  })

  router.get('/console/preview', async (req, res) => {
    const form: PreviewForm = parseQuery(previewQuery, req.query)
    const asked = form.url !== ''
    const result = asked ? await previewOnPage(deps, form) : undefined
    render(
      res,
      'Preview',
      '/console/preview',
      previewPage(
        asked ? form : { ...form, url: form.url || 'https://www.example.com/pricing' },
        result,
      ),
    )
  })

  router.get('/console/config', async (_req, res) => {
    const engine = deps.personalization.engine
    const live = deps.liveConfig
    // The newest version in the store, which every instance serves within seconds.
    const latest =
      live.pinned === undefined
        ? await deps.store.read((reader) => reader.latestConfigVersion())
        : undefined
    render(
      res,
      'Config',
      '/console/config',
      configPage({
        file: deps.config.personalizationFile,
        loadedAt: engine.loadedAt,
        source: latest?.document ?? engine.source,
        rejected: engine.rejected,
        pinned: live.pinned,
        version: latest === undefined ? undefined : versionMeta(latest),
        inForce: live.version?.number,
      }),
    )
  })
  return router
}

function session(res: Response): Session {
  return res.locals.session as Session
}

function notFound(): AppError {
  return new AppError('profile_not_found', 'No profile has this id')
}

function parseQuery<T extends z.ZodType>(schema: T, query: Request['query']): z.output<T> {
  const parsed = schema.safeParse(query)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new AppError('invalid_field', issue?.message ?? 'invalid query', {
      path: `query.${issue?.path.join('.') ?? ''}`,
    })
  }
  return parsed.data
}

/** The preview as the page shows it: what the visitor sees, or the message of what is wrong. */
async function previewOnPage(
  deps: ConsoleDeps,
  form: PreviewForm,
): Promise<{ decision: Decision; who: string } | { error: string }> {
  try {
    return await previewVisitor(deps.store, deps.personalization.engine, {
      ...form,
      now: deps.clock(),
    })
  } catch (error) {
    if (error instanceof AppError && error.status < 500) return { error: error.message }
    throw error
  }
}
