import { recordKinds, type RecordKind, type StoreRecord } from '../store/store-records.ts'
import type { Store } from '../store/store.ts'

/** Records read per page, and written per transaction. Default 500. */
export const transferBatchSize = 500

/**
 * Every record of a store, kind by kind in `recordKinds` order, read a page at a time (each page
 * its own read): memory stays bounded however big the store. Writes made meanwhile may or may
 * not be seen, so an export is taken with writes stopped (docs/operations.md).
 */
export async function* readRecords(
  store: Store,
  pageSize: number = transferBatchSize,
): AsyncGenerator<StoreRecord> {
  for (const kind of recordKinds) {
    let after: (string | number)[] | null = null
    do {
      const page = await store.read((reader) => reader.exportPage(kind, after, pageSize))
      yield* page.records
      after = page.next
    } while (after !== null)
  }
}

/** How many records of each kind. */
export type KindCounts = Record<RecordKind, number>

export function emptyCounts(): KindCounts {
  return Object.fromEntries(recordKinds.map((kind) => [kind, 0])) as KindCounts
}

/** Counts every record of a store, kind by kind (a full read; see `readRecords`). */
export async function countRecords(store: Store): Promise<KindCounts> {
  const counts = emptyCounts()
  for await (const record of readRecords(store)) counts[record.kind] += 1
  return counts
}

/** Whether a store holds no record at all (one small read per kind). */
export async function storeIsEmpty(store: Store): Promise<boolean> {
  for (const kind of recordKinds) {
    const page = await store.read((reader) => reader.exportPage(kind, null, 1))
    if (page.records.length > 0) return false
  }
  return true
}
