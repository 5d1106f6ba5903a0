import type { ParleyClient, QueueEntry } from './types.ts'

/**
 * Runs the calls waiting in `window._parleyq` in order, then replaces the array's `push` so later
 * pushes (from the page or GTM's `createQueue`) run at once. Returns the replayed calls.
 */
export function replayQueue(
  client: ParleyClient,
  log: (message: string, detail?: unknown) => void,
): unknown[] {
  const run = (entry: unknown): void => {
    if (!Array.isArray(entry)) return log('ignored a queued call that is not an array', entry)
    const [method, ...args] = entry as QueueEntry
    const fn =
      typeof method === 'string'
        ? (client as unknown as Record<string, unknown>)[method]
        : undefined
    if (typeof fn !== 'function')
      return void console.error(`parley: unknown method ${String(method)}`)
    try {
      const result = (fn as (...a: unknown[]) => unknown).apply(client, args)
      const [resolve, reject] = (entry as QueueEntry).deferred ?? []
      // Failures were already logged; a queued call has nobody else to tell.
      if (result instanceof Promise) result.then(resolve, reject ?? (() => undefined))
    } catch (error) {
      console.error('parley:', error)
    }
  }
  const queue = Array.isArray(window._parleyq) ? window._parleyq : []
  window._parleyq = queue
  const queued = queue.splice(0)
  for (const entry of queued) run(entry)
  queue.push = (...entries: QueueEntry[]) => {
    entries.forEach(run)
    return queue.length
  }
  return queued
}
