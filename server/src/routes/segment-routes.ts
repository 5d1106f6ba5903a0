import { Router } from 'express'
import type { AppDeps } from '../app-deps.ts'
import { batchSchema, type CallType } from '../contract/event-schemas.ts'
import { assertDepth, joinPath } from '../contract/inspect-json.ts'
import { limits } from '../contract/limits.ts'
import { parseWith } from '../contract/parse-with.ts'
import { readCall } from '../contract/read-call.ts'
import { AppError, type ErrorBody } from '../errors/app-error.ts'
import { requireWriteKey } from '../http/credentials.ts'
import { jsonBody } from '../http/json-body.ts'
import { ingest } from '../pipeline/ingest.ts'
import { withWarnings, type Warning } from '../pipeline/warnings.ts'
import { isJsonObject, type Json } from '../traits/json.ts'

const callTypes: readonly CallType[] = ['identify', 'group', 'track', 'page', 'alias']

/**
 * The Segment-compatible tracking API (`/v1/identify`, `/v1/group`, `/v1/track`, `/v1/page`,
 * `/v1/alias`, `/v1/batch`), so Segment and RudderStack SDKs can point their host here unchanged.
 */
export function segmentRoutes(deps: AppDeps): Router {
  const router = Router()
  const auth = requireWriteKey(deps.config.writeKeys)

  for (const type of callTypes) {
    router.post(`/v1/${type}`, ...jsonBody(limits.callBytes), auth, async (req, res) => {
      const { event } = readCall(type, req.body, origin(res.locals.source as string, deps))
      const result = await ingest(event, deps)
      res.json(withWarnings({ success: true }, result.warnings))
    })
  }

  router.post('/v1/batch', ...jsonBody(limits.batchBytes), auth, async (req, res) => {
    const body = parseWith(batchSchema, req.body, '')
    if (body.batch.length > limits.batchEvents) {
      throw new AppError(
        'too_many_events',
        `A batch may hold at most ${limits.batchEvents} events`,
        {
          path: 'batch',
        },
      )
    }
    const source = res.locals.source as string
    const warnings: Warning[] = []
    const rejected: (ErrorBody['error'] & { index: number })[] = []
    // One event at a time, each in its own transaction: a bad event is reported, the rest land.
    for (const [index, item] of body.batch.entries()) {
      const path = joinPath('batch', index)
      try {
        // Depth first: measuring the size of a 100,000-deep value would overflow the stack.
        assertDepth(item as Json, path, limits.bodyDepth)
        if (Buffer.byteLength(JSON.stringify(item)) > limits.callBytes) {
          throw new AppError(
            'payload_too_large',
            `An event may be at most ${limits.callBytes} bytes`,
            { path },
          )
        }
        const type = batchItemType(item, path)
        const { event } = readCall(type, withBatchContext(item, body.context), {
          ...origin(source, deps),
          path,
          batchSentAt: body.sentAt,
        })
        const result = await ingest(event, deps)
        warnings.push(...result.warnings)
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500) throw error
        rejected.push({ index, ...error.toBody().error })
      }
    }
    res.json(
      withWarnings({ success: true, ...(rejected.length > 0 ? { rejected } : {}) }, warnings),
    )
  })
  return router
}

function origin(source: string, deps: AppDeps) {
  return { channel: 'server' as const, source, receivedAt: deps.clock(), path: '' }
}

function batchItemType(item: unknown, path: string): CallType {
  if (isJsonObject(item) && Object.hasOwn(item, 'type') && typeof item.type === 'string') {
    const type = item.type as CallType
    if (callTypes.includes(type)) return type
  }
  throw new AppError('invalid_field', `${path}.type: expected one of ${callTypes.join(', ')}`, {
    path: `${path}.type`,
  })
}

/** Segment lets a batch carry one `context` for all its events; an event's own wins. */
function withBatchContext(item: unknown, context: unknown): unknown {
  if (context === undefined || !isJsonObject(item) || Object.hasOwn(item, 'context')) return item
  return { ...item, context }
}
