import type { StoreRecord } from '../store/store-records.ts'
import type { Store } from '../store/store.ts'
import { parseHeader, parseRecord, type ExportHeader } from './export-format.ts'
import { emptyCounts, transferBatchSize, type KindCounts } from './store-stream.ts'

/**
 * Writes records into a store, `batchSize` per transaction: a batch commits whole or not at all.
 * Resolves with how many of each kind were written.
 */
export async function writeInBatches(
  store: Store,
  records: AsyncIterable<StoreRecord>,
  batchSize: number = transferBatchSize,
): Promise<KindCounts> {
  const counts = emptyCounts()
  let batch: StoreRecord[] = []
  const flush = async () => {
    const written = batch
    batch = []
    await store.transaction((tx) => tx.importRecords(written))
    for (const record of written) counts[record.kind] += 1
  }
  for await (const record of records) {
    batch.push(record)
    if (batch.length >= batchSize) await flush()
  }
  if (batch.length > 0) await flush()
  return counts
}

/**
 * The records of an export's lines (blank lines skipped), after its header, which `onHeader`
 * hears first. Throws `ExportLineError` at the first bad line, before yielding anything of it.
 */
export async function* parseExport(
  lines: AsyncIterable<string>,
  onHeader: (header: ExportHeader) => void = () => undefined,
): AsyncGenerator<StoreRecord> {
  let number = 0
  let header = false
  for await (const text of lines) {
    number += 1
    if (text.trim() === '') continue
    if (!header) {
      onHeader(parseHeader(text))
      header = true
      continue
    }
    yield parseRecord(text, number)
  }
  if (!header) throw new Error('the export is empty: no header line')
}
