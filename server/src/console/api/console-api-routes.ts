import { Router, type Request, type Response } from 'express'
import { diffConfigs, summarizeDiff } from '../../config-versions/config-diff.ts'
import { versionMeta, type ConfigVersion } from '../../config-versions/config-version.ts'
import { invalidConfig } from '../../config-versions/invalid-config.ts'
import { propagationBoundMs } from '../../config-versions/live-config.ts'
import {
  changeStatus,
  publishConfig,
  rollbackConfig,
  type Published,
  type StatusChange,
} from '../../config-versions/publish-config.ts'
import { parseWith } from '../../contract/parse-with.ts'
import { AppError } from '../../errors/app-error.ts'
import { jsonBody } from '../../http/json-body.ts'
import { bucketImpacts, type BucketImpact } from '../../personalization/bucket-impact.ts'
import { compileConfig } from '../../personalization/compile-config.ts'
import { ruleDocumentSchema, configErrorMap } from '../../personalization/config-schema.ts'
import type { PersonalizationConfig } from '../../personalization/config-schema.ts'
import { PersonalizationEngine } from '../../personalization/engine.ts'
import { toConfigIssue, validatePersonalizationConfig } from '../../personalization/load-config.ts'
import type { StoreReader } from '../../store/store.ts'
import { measureAudiences } from '../audience.ts'
import { readAudit, readHistory } from '../config-history.ts'
import type { ConsoleDeps } from '../console-routes.ts'
import { previewVisitor } from '../preview-visitor.ts'
import { requireRole } from '../require-role.ts'
import type { Session } from '../session.ts'
import * as schemas from './api-schemas.ts'

/** Largest JSON body the console API reads: a whole config. Default: 1 MiB. */
export const consoleApiBodyBytes = 1_048_576

type ConsoleApiDeps = ConsoleDeps

/**
 * The JSON API the console's editor works through, under `/console/api`: behind the console's
 * session (a person, or the operator), changes with the session's CSRF token in `X-CSRF-Token`
 * and from the console's own origin. Reads are open to viewers; publish, roll back and status
 * changes need an editor, and are refused while the config is pinned to a file. Every answer
 * is JSON; every refusal `{error: {code, message, path, details?}}` (docs/api.md#console-api).
 */
export function consoleApiRoutes(deps: ConsoleApiDeps): Router {
  const router = Router()
  const body = jsonBody(consoleApiBodyBytes)
  const live = deps.liveConfig
  const editor = [requireRole('editor'), notPinned(deps)]

  router.get('/console/api/me', (_req, res) => {
    const session = sessionOf(res)
    const person = session.person ?? {
      name: 'operator',
      role: 'editor' as const,
      kind: 'operator' as const,
    }
    res.json({
      person,
      csrf: session.csrf,
      mayPublish: person.role === 'editor' && live.pinned === undefined,
      config: configState(deps),
      propagationBoundMs,
    })
  })

  router.get('/console/api/config', async (_req, res) => {
    if (live.pinned !== undefined) {
      res.json({ ...configState(deps), document: live.engine.source })
      return
    }
    // The newest version in the store: what every instance serves within the bound.
    const latest = await deps.store.read((reader) => reader.latestConfigVersion())
    res.json({
      ...configState(deps),
      version: latest === undefined ? null : versionMeta(latest),
      document: latest?.document ?? live.engine.source,
    })
  })

  router.get('/console/api/versions', async (req, res) => {
    const query = parseWith(schemas.pageQuery, req.query, 'query')
    res.json(
      await deps.store.read((reader) => readHistory(reader, query.before ?? null, query.limit)),
    )
  })

  router.get('/console/api/versions/:number', async (req, res) => {
    const number = parseWith(schemas.diffQuery.shape.from, req.params.number, 'params.number')
    const version = await deps.store.read((reader) => findVersion(reader, number, 'params.number'))
    res.json({ version: versionMeta(version), document: version.document })
  })

  router.get('/console/api/diff', async (req, res) => {
    const query = parseWith(schemas.diffQuery, req.query, 'query')
    const answer = await deps.store.read(async (reader) => {
      const from = await findVersion(reader, query.from, 'query.from')
      const to = await findVersion(reader, query.to, 'query.to')
      const diff = diffConfigs(from.document, to.document)
      return {
        from: from.number,
        to: to.number,
        diff,
        summary: summarizeDiff(diff),
        impacts: await withRecorded(reader, bucketImpacts(from.document, to.document)),
      }
    })
    res.json(answer)
  })

  router.post('/console/api/validate', ...body, (req, res) => {
    const input = parseWith(schemas.validateBody, req.body, 'body')
    const result = validatePersonalizationConfig(input.document)
    res.json(result.ok ? { valid: true, issues: [] } : { valid: false, issues: result.issues })
  })

  router.post('/console/api/diff', ...body, async (req, res) => {
    const input = parseWith(schemas.draftDiffBody, req.body, 'body')
    const draft = checkedDraft(input.document, 'compared')
    const answer = await deps.store.read(async (reader) => {
      const against =
        input.against === undefined
          ? await reader.latestConfigVersion()
          : await findVersion(reader, input.against, 'body.against')
      const before =
        against?.document ?? (live.pinned === undefined ? undefined : live.engine.source)
      const diff = diffConfigs(before, draft)
      return {
        against: against?.number ?? null,
        diff,
        summary: summarizeDiff(diff),
        impacts:
          before === undefined ? [] : await withRecorded(reader, bucketImpacts(before, draft)),
      }
    })
    res.json(answer)
  })

  router.post('/console/api/preview', ...body, async (req, res) => {
    const input = parseWith(schemas.previewBody, req.body, 'body')
    const engine =
      input.document === undefined
        ? live.engine
        : new PersonalizationEngine(checkedDraft(input.document, 'previewed'), deps.clock())
    const { decision, who } = await previewVisitor(deps.store, engine, {
      profile: input.profile,
      userTraits: input.userTraits === undefined ? '' : JSON.stringify(input.userTraits),
      companyTraits: input.companyTraits === undefined ? '' : JSON.stringify(input.companyTraits),
      url: input.url,
      device: input.device,
      now: deps.clock(),
    }).catch((error: unknown) => {
      // The preview names its fields as the page's form does; here they are in the body.
      if (error instanceof AppError && error.path !== undefined && error.status < 500) {
        throw new AppError(error.code, error.message, { path: `body.${error.path}` })
      }
      throw error
    })
    res.json({ who, segments: decision.segments, experiences: decision.experiences })
  })

  router.post('/console/api/audience', ...body, async (req, res) => {
    const input = parseWith(schemas.audienceBody, req.body, 'body')
    const checked = ruleDocumentSchema.safeParse({ rule: input.rule }, { error: configErrorMap })
    if (!checked.success) throw invalidConfig(checked.error.issues.map(toConfigIssue), 'measured')
    const config = compileConfig({
      attributionWindowDays: 7,
      segments: [{ id: 'draft', rule: checked.data.rule }],
      experiences: [],
    })
    const audiences = await deps.store.read((reader) =>
      measureAudiences(reader, config, deps.clock()),
    )
    const size = audiences.sizes.get('draft') ?? { estimate: 0, exact: true, low: 0, high: 0 }
    res.json({ total: audiences.total, sampled: audiences.sampled, ...size })
  })

  router.post('/console/api/publish', ...editor, ...body, async (req, res) => {
    const input = parseWith(schemas.publishBody, req.body, 'body')
    const published = await deps.store.transaction((tx) =>
      publishConfig(tx, {
        ...change(deps, res, input.note),
        document: input.document,
        baseVersion: input.baseVersion,
        kind: 'publish',
        ...(input.confirmMoves === undefined ? {} : { confirmMoves: input.confirmMoves }),
      }),
    )
    await answerPublished(deps, res, published)
  })

  router.post('/console/api/rollback', ...editor, ...body, async (req, res) => {
    const input = parseWith(schemas.rollbackBody, req.body, 'body')
    const published = await deps.store.transaction((tx) =>
      rollbackConfig(tx, {
        ...change(deps, res, input.note),
        to: input.version,
        baseVersion: input.baseVersion,
        ...(input.confirmMoves === undefined ? {} : { confirmMoves: input.confirmMoves }),
      }),
    )
    await answerPublished(deps, res, published)
  })

  router.post('/console/api/status', ...editor, ...body, async (req, res) => {
    const input = parseWith(schemas.statusBody, req.body, 'body')
    const statusChange: StatusChange =
      input.variation !== undefined && input.paused !== undefined
        ? { experience: input.experience, variation: input.variation, paused: input.paused }
        : {
            experience: input.experience,
            status: input.status ?? 'running',
            ...(input.winner === undefined ? {} : { winner: input.winner }),
          }
    const published = await deps.store.transaction((tx) =>
      changeStatus(tx, {
        ...change(deps, res, input.note),
        change: statusChange,
        ...(input.baseVersion === undefined ? {} : { baseVersion: input.baseVersion }),
      }),
    )
    await answerPublished(deps, res, published)
  })

  router.get('/console/api/audit', async (req, res) => {
    const query = parseWith(schemas.pageQuery, req.query, 'query')
    res.json(
      await deps.store.read((reader) => readAudit(reader, query.before ?? null, query.limit)),
    )
  })

  return router
}

function sessionOf(res: Response): Session {
  return res.locals.session as Session
}

/** Where the config comes from and whether it may be edited here. */
function configState(deps: ConsoleApiDeps) {
  const live = deps.liveConfig
  return {
    source: live.pinned === undefined ? ('store' as const) : ('file' as const),
    editable: live.pinned === undefined,
    ...(live.pinned === undefined ? {} : { pinned: live.pinned }),
    version: live.version ?? null,
  }
}

/** Refuses every write while the config is pinned to a file, saying why (`config_pinned`). */
export function notPinned(deps: ConsoleApiDeps) {
  return (_req: Request, _res: Response, next: (error?: unknown) => void) => {
    const pinned = deps.liveConfig.pinned
    if (pinned === undefined) return next()
    next(new AppError('config_pinned', pinned.reason, { details: { file: pinned.file } }))
  }
}

/** The author and time of a change made by the signed-in person. */
function change(deps: ConsoleApiDeps, res: Response, note: string | undefined) {
  return { author: sessionOf(res).person?.name ?? 'operator', at: deps.clock(), note: note ?? '' }
}

/** A draft checked by the loader; `invalid_config` with every issue otherwise. */
function checkedDraft(document: unknown, verb: string): PersonalizationConfig {
  const result = validatePersonalizationConfig(document)
  if (!result.ok) throw invalidConfig(result.issues, verb)
  return result.config
}

async function findVersion(
  reader: StoreReader,
  number: number,
  path: string,
): Promise<ConfigVersion> {
  const version = await reader.configVersion(number)
  if (version === undefined) {
    throw new AppError('config_version_not_found', `There is no config version ${number}`, { path })
  }
  return version
}

/** Adds to a removed variation's impact how many visitors are recorded in it. */
async function withRecorded(reader: StoreReader, impacts: BucketImpact[]) {
  const out = []
  for (const impact of impacts) {
    if (impact.change !== 'variation-removed' || impact.variation === undefined) {
      out.push(impact)
      continue
    }
    const counts = await reader.experienceCounts(impact.experience, '', 0)
    const recorded = counts.find((count) => !count.control && count.variation === impact.variation)
    out.push({ ...impact, recordedVisitors: recorded?.visitors ?? 0 })
  }
  return out
}

/** Puts the new version in force here before answering, then answers it with its diff. */
async function answerPublished(
  deps: ConsoleApiDeps,
  res: Response,
  published: Published,
): Promise<void> {
  await deps.liveConfig.refresh()
  deps.logger.info(
    {
      version: published.version.number,
      author: published.version.author,
      kind: published.version.kind,
    },
    'console published a config version',
  )
  res.json({
    version: versionMeta(published.version),
    diff: published.diff,
    summary: summarizeDiff(published.diff),
    impacts: published.impacts,
  })
}
