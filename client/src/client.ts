/**
 * The Parley browser client. Loaded by the loader stub or by the GTM template, it replays the
 * calls queued in `window._parleyq`, then runs every later call at once.
 */
import { antiFlickerMs, hideSlots, showSlots } from './anti-flicker.ts'
import { readAnonymousId, writeAnonymousId } from './anonymous-id.ts'
import { copy, isId, isObject, misuse } from './arguments.ts'
import { baseFromScriptSrc } from './base-url.ts'
import { pushEvent } from './data-layer.ts'
import { createOutbox } from './outbox.ts'
import { pageContext, watchNavigation } from './page-context.ts'
import { replayQueue } from './replay-queue.ts'
import { applySlots, slotTexts } from './slots.ts'
import { transport } from './transport.ts'
import type { ParleyClient, Payload } from './types.ts'
import { uuid } from './uuid.ts'

// Set at build time from package.json.
declare const PARLEY_VERSION: string

type Json = Record<string, unknown>

function boot(): void {
  const w = window
  const namespace = (w.parley ??= {})
  const stub = namespace.client
  if (stub?.version !== undefined) {
    console.warn('parley: the client is already running; this copy was ignored')
    return
  }
  const settings = w.parleySettings ?? {}
  const log = (message: string, detail?: unknown): void => {
    if (settings.debug === true) console.warn(`parley: ${message}`, detail ?? '')
  }
  const own = document.currentScript as HTMLScriptElement | null
  const base = baseFromScriptSrc(own?.src ?? settings.src ?? '') ?? ''

  let anonymousId = readAnonymousId()
  let consented = settings.personalization !== false
  let referrer = document.referrer
  let isReady = false
  const readyCallbacks: ((client: ParleyClient) => void)[] = []

  // The loader hides the slots itself as early as it can; without it (GTM), do it now.
  const hideFor = antiFlickerMs(settings.antiFlicker)
  if (hideFor !== undefined && stub === undefined) hideSlots(hideFor)

  const persist = (): void => {
    if (consented && anonymousId !== undefined) writeAnonymousId(anonymousId)
  }

  const receive = (payload: Payload | null, sentWith: unknown): void => {
    if (payload === null || typeof payload !== 'object') return
    // An answer to a call sent before reset() belongs to the previous visitor: its id and
    // content must not come back.
    if (sentWith !== anonymousId) return
    // The container is the source of truth: it restores a wiped id from its own cookie and
    // hands out a fresh one when a second known user logs in on this device.
    if (typeof payload.anonymousId === 'string' && payload.anonymousId !== anonymousId) {
      if (payload.rotated === true) log('new anonymous id for this device (another user)')
      anonymousId = payload.anonymousId
      persist()
    }
    for (const warning of payload.warnings ?? []) log(`${warning.code}: ${warning.message}`)
    if (Array.isArray(payload.experiences)) {
      applySlots(slotTexts(payload))
      pushEvent('parley.personalized', {
        segments: payload.segments ?? [],
        experiences: payload.experiences.map(({ id, variation, control }) => ({
          id,
          variation,
          control,
        })),
      })
    }
  }

  const outbox = createOutbox({
    ...transport(base),
    later: (run, ms) => {
      setTimeout(run, ms)
    },
    random: Math.random,
    canSend: () => consented,
    stamp: (body) => {
      if (anonymousId !== undefined) body.anonymousId ??= anonymousId
      body.sentAt = new Date().toISOString()
    },
    onReply: (json, sent) => receive(json as Payload | null, sent.body.anonymousId),
    onSettled: showSlots,
    log,
  })

  const message = (extra: Json): Json => ({
    messageId: uuid(),
    timestamp: new Date().toISOString(),
    context: {
      page: pageContext(referrer),
      library: { name: 'parley.js', version: PARLEY_VERSION },
      // A message only ever leaves the outbox with consent (canSend), so this is always true.
      consent: { personalization: true },
    },
    ...extra,
  })
  const client: ParleyClient = {
    version: PARLEY_VERSION,
    identify(userId, traits, options) {
      if (userId != null && !isId(userId))
        return misuse('identify: userId must be a string or null')
      if (!isObject(traits)) return misuse('identify: traits must be an object')
      return new Promise((resolve, reject) => {
        const body = message({ traits: copy(traits) })
        if (userId != null) body.userId = String(userId)
        if (typeof options?.userHash === 'string') body.userHash = options.userHash
        outbox.add({
          type: 'identify',
          body,
          settle: {
            resolve: (json) => {
              pushEvent('parley.identified', { userId: (json as Payload | null)?.userId ?? null })
              resolve(json as Payload)
            },
            reject,
          },
        })
      })
    },
    page(properties) {
      if (!isObject(properties)) return void misuse('page: properties must be an object')
      outbox.add({ type: 'page', body: message({ properties: copy(properties) }) })
    },
    track(event, properties) {
      if (typeof event !== 'string' || event.trim() === '')
        return void misuse('track: event must be a non-empty string')
      if (!isObject(properties)) return void misuse('track: properties must be an object')
      outbox.add({ type: 'track', body: message({ event, properties: copy(properties) }) })
    },
    group(companyId, traits) {
      if (!isId(companyId)) return void misuse('group: companyId must be a string')
      if (!isObject(traits)) return void misuse('group: traits must be an object')
      outbox.add({
        type: 'group',
        body: message({ groupId: String(companyId), traits: copy(traits) }),
      })
    },
    reset() {
      // Calls made before the logout still belong to the previous visitor.
      if (anonymousId !== undefined) outbox.stampWaiting(anonymousId)
      anonymousId = uuid()
      persist()
      applySlots(new Map())
    },
    ready(callback) {
      if (typeof callback !== 'function') return void misuse('ready: expects a function')
      if (isReady) callback(client)
      else readyCallbacks.push(callback)
    },
    consent(choice) {
      consented = choice?.personalization === true
      if (!consented) return showSlots()
      persist()
      outbox.pump()
    },
  }
  namespace.client = client

  const queued = replayQueue(client, log)

  persist()
  const hadPage = queued.some((entry) => Array.isArray(entry) && entry[0] === 'page')
  if (settings.autoPage !== false && !hadPage) client.page()
  watchNavigation((previous) => {
    referrer = previous
    client.page()
  })
  // Only when the page really goes: a hidden tab may still await an identify answer.
  addEventListener('pagehide', () => outbox.flushByBeacon())
  if (!consented) showSlots()

  isReady = true
  pushEvent('parley.ready')
  for (const callback of readyCallbacks.splice(0)) callback(client)
}

boot()
