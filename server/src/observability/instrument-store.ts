import { AppError } from '../errors/app-error.ts'
import type { MergeKind } from '../profile/profile.ts'
import type { Store, StoreWriter } from '../store/store.ts'
import type { Metrics } from './metrics.ts'

/**
 * Wraps a store so its work shows in the metrics without the pipeline knowing: identity changes
 * are counted by kind once their transaction has committed (a rolled-back merge never
 * happened), and failures by engine and code. A caller's own 4xx errors are not store errors.
 */
export function instrumentStore(store: Store, metrics: Metrics): Store {
  const failed = (error: unknown): never => {
    if (!(error instanceof AppError) || error.status >= 500) {
      const code = error instanceof AppError ? error.code : errorCode(error)
      metrics.storeErrors.inc({ engine: store.engine, code })
    }
    throw error
  }
  return {
    engine: store.engine,
    async transaction(fn) {
      let kinds: MergeKind[] = []
      const result = await store
        .transaction((tx) => {
          // An engine may run `fn` again after a conflict: only the last attempt counts.
          kinds = []
          return fn(countingMerges(tx, kinds))
        })
        .catch(failed)
      for (const kind of kinds) metrics.merges.inc({ kind })
      return result
    },
    async runCall(call) {
      const result = await store.runCall(call).catch(failed)
      for (const kind of result.merges) metrics.merges.inc({ kind })
      return result
    },
    read: (fn) => store.read(fn).catch(failed),
    readNeighbourhood: (key) => store.readNeighbourhood(key).catch(failed),
    onChange: (listener) => store.onChange(listener),
    ping: () => store.ping().catch(failed),
    pruneMessages: (before) => store.pruneMessages(before).catch(failed),
    close: () => store.close(),
  }
}

function countingMerges(tx: StoreWriter, kinds: MergeKind[]): StoreWriter {
  return new Proxy(tx, {
    get(target, property) {
      if (property === 'appendMergeLog') {
        return async (entry: Parameters<StoreWriter['appendMergeLog']>[0]) => {
          await target.appendMergeLog(entry)
          kinds.push(entry.kind)
        }
      }
      const value: unknown = Reflect.get(target, property, target)
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value
    },
  })
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code) ? code : 'unknown'
}
