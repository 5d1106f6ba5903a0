import { maxAttempts, outcomeOf, retryDelayMs } from './retry-policy.ts'

/** The browser endpoints, `POST <base>/v1/web/<type>`. */
export type CallType = 'identify' | 'page' | 'track' | 'group'

/** A call waiting to be sent. `settle` belongs to identify, whose caller awaits the payload. */
export interface Message {
  type: CallType
  body: Record<string, unknown>
  settle?: { resolve: (payload: unknown) => void; reject: (reason: Error) => void }
  attempts?: number
}

/** An HTTP answer as the outbox needs it. */
export interface Reply {
  status: number
  retryAfter: string | null
  json: unknown
}

/** The outbox's I/O, injected so the logic runs under test without a browser. */
export interface OutboxDeps {
  /** POSTs the JSON text; rejects on a network error. */
  post: (type: CallType, body: string) => Promise<Reply>
  /** Hands the JSON text to `navigator.sendBeacon`. */
  beacon: (type: CallType, body: string) => void
  later: (run: () => void, ms: number) => void
  random: () => number
  /** Whether network calls are allowed now (consent). */
  canSend: () => boolean
  /** Stamps the fields known only at send time (anonymousId, sentAt). */
  stamp: (body: Record<string, unknown>) => void
  /** The container's answer to `message`, as it was sent. */
  onReply: (json: unknown, message: Message) => void
  /** Called after every call that ended, sent or dropped. */
  onSettled: () => void
  log: (message: string, detail?: unknown) => void
}

/** The outbox: `add` a message, `flushByBeacon` when the page goes away, `pump` after consent. */
export interface Outbox {
  add: (message: Message) => void
  pump: () => void
  flushByBeacon: () => void
  /** Gives every waiting call without an anonymous id this one (before `reset()` changes it). */
  stampWaiting: (anonymousId: string) => void
  size: () => number
}

/**
 * A bounded FIFO that sends one call at a time, in order: the first answer carries the device's
 * anonymous id, which the next calls must use. Transient failures are retried with backoff;
 * when the queue is full the oldest waiting call is dropped.
 */
export function createOutbox(deps: OutboxDeps, limit = 50): Outbox {
  const items: Message[] = []
  let inFlight = false
  let waiting = false

  const pump = (): void => {
    const head = items[0]
    if (head === undefined || inFlight || waiting || !deps.canSend()) return
    inFlight = true
    deps.stamp(head.body)
    deps.post(head.type, JSON.stringify(head.body)).then(
      (reply) => answered(head, reply),
      () => answered(head, { status: 0, retryAfter: null, json: null }),
    )
  }

  const answered = (message: Message, reply: Reply): void => {
    inFlight = false
    const outcome = outcomeOf(reply.status)
    if (outcome === 'ok') {
      deps.onReply(reply.json, message)
      return finish(message, () => message.settle?.resolve(reply.json))
    }
    const attempts = (message.attempts = (message.attempts ?? 0) + 1)
    if (outcome === 'retry' && attempts < maxAttempts) {
      waiting = true
      deps.later(
        () => {
          waiting = false
          pump()
        },
        retryDelayMs(attempts, reply.retryAfter, deps.random()),
      )
      return
    }
    const why = errorText(reply)
    deps.log(`${message.type} dropped: ${why}`, reply.json)
    finish(message, () => message.settle?.reject(new Error(`parley: ${message.type}: ${why}`)))
  }

  const finish = (message: Message, settle: () => void): void => {
    const index = items.indexOf(message)
    if (index >= 0) items.splice(index, 1)
    settle()
    deps.onSettled()
    pump()
  }

  return {
    add(message) {
      if (items.length >= limit) {
        // Never drop the call on the wire: its answer is still coming.
        const [dropped] = items.splice(inFlight ? 1 : 0, 1)
        if (dropped !== undefined) {
          deps.log(`${dropped.type} dropped: the queue holds ${limit} calls`)
          dropped.settle?.reject(new Error('parley: queue full'))
        }
      }
      items.push(message)
      pump()
    },
    pump,
    flushByBeacon() {
      if (!deps.canSend()) return
      // The call on the wire was sent with keepalive and finishes by itself.
      for (const message of items.splice(inFlight ? 1 : 0)) {
        deps.stamp(message.body)
        deps.beacon(message.type, JSON.stringify(message.body))
      }
    },
    stampWaiting(anonymousId) {
      for (const message of items) message.body.anonymousId ??= anonymousId
    },
    size: () => items.length,
  }
}

function errorText(reply: Reply): string {
  const error = (reply.json as { error?: { code?: unknown; message?: unknown } } | null)?.error
  const detail = typeof error?.message === 'string' ? `: ${error.message}` : ''
  return reply.status === 0 ? 'network error' : `HTTP ${reply.status}${detail}`
}
