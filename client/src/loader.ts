/**
 * The loader stub: pasted in a page (or loaded with a plain script tag) before any call. It
 * queues calls as plain arrays in `window._parleyq` and loads the client asynchronously.
 */
import { antiFlickerMs, hideSlots } from './anti-flicker.ts'
import type { ParleyClient, QueueEntry } from './types.ts'

// Set at build time to the content-versioned client file name (client.<hash>.js).
declare const PARLEY_CLIENT_FILE: string

const methods = ['identify', 'page', 'track', 'group', 'reset', 'ready', 'consent'] as const

function install(): void {
  const w = window
  const namespace = (w.parley ??= {})
  if (namespace.client !== undefined) {
    console.warn('parley: already installed; the second loader was ignored')
    return
  }
  const settings = w.parleySettings ?? {}
  const queue = (w._parleyq ??= [])
  const stub: Record<string, (...args: unknown[]) => unknown> = {}
  for (const method of methods) {
    stub[method] = (...args: unknown[]) => {
      const entry: QueueEntry = [method, ...args]
      // Only identify answers with a Promise; the client settles it when it replays the call.
      const promise =
        method === 'identify'
          ? new Promise((resolve, reject) => (entry.deferred = [resolve, reject]))
          : undefined
      queue.push(entry)
      return promise
    }
  }
  namespace.client = stub as unknown as ParleyClient

  const hideFor = antiFlickerMs(settings.antiFlicker)
  if (hideFor !== undefined) hideSlots(hideFor)

  const own = document.currentScript as HTMLScriptElement | null
  const script = document.createElement('script')
  script.async = true
  script.src =
    settings.src ?? (own?.src ? own.src.replace(/[^/]*$/, PARLEY_CLIENT_FILE) : '/parley/client.js')
  ;(document.head ?? document.documentElement).appendChild(script)
}

install()
