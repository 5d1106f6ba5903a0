import type { Conversion, Impression } from '../measurement/exposure.ts'
import type { Account, MergeLogEntry, Profile, StoredEvent } from '../profile/profile.ts'
import type { AuditEntry, NewAuditEntry } from '../audit/audit-entry.ts'
import type { ConfigVersion } from '../config-versions/config-version.ts'
import type { ConsoleUser } from '../console-users/console-user.ts'
import type { Suppression, StoreWriter } from './store.ts'

/*
 * The store's contents as records, for `parley export`, `import` and `move`: every engine reads
 * them out a page at a time (`StoreReader.exportPage`) and writes a batch in
 * (`StoreWriter.importRecords`). Claimed message keys are not records: they only deduplicate
 * retries of the last minutes.
 */

/** A device link: which profile an anonymous id belongs to, since when. */
export interface DeviceLink {
  anonymousId: string
  profileId: string
  linkedAt: number
}

/** One record of the store, in the order an export lists them. */
export type StoreRecord =
  | { kind: 'profile'; data: Profile }
  | { kind: 'account'; data: Account & { keys: string[] } }
  | { kind: 'device'; data: DeviceLink }
  | { kind: 'mergeLog'; data: MergeLogEntry }
  | { kind: 'event'; data: StoredEvent }
  | { kind: 'impression'; data: Impression }
  | { kind: 'conversion'; data: Conversion }
  | { kind: 'suppression'; data: Suppression }
  | { kind: 'configVersion'; data: ConfigVersion }
  | { kind: 'auditEntry'; data: AuditEntry }
  | { kind: 'consoleUser'; data: ConsoleUser }

export type RecordKind = StoreRecord['kind']

/** Every kind, in export order: the records a later kind names come first. */
export const recordKinds: readonly RecordKind[] = [
  'profile',
  'account',
  'device',
  'mergeLog',
  'event',
  'impression',
  'conversion',
  'suppression',
  'configVersion',
  'auditEntry',
  'consoleUser',
]

/** Where the next page of a kind starts: the key of the last record read (engine-specific). */
export type RecordCursor = (string | number)[]

/** A page of records of one kind; `next` is null after the last page. */
export interface RecordPage {
  records: StoreRecord[]
  next: RecordCursor | null
}

/**
 * Writes records through an engine's own writer, in order, inside the caller's transaction.
 * Every engine's `importRecords` is this: the writer methods keep each value as given.
 */
export async function writeRecords(
  writer: StoreWriter,
  records: readonly StoreRecord[],
): Promise<void> {
  for (const record of records) {
    switch (record.kind) {
      case 'profile':
        await writer.putProfile(record.data)
        break
      case 'account': {
        const { keys, ...account } = record.data
        await writer.putAccount(account)
        for (const key of keys) await writer.linkAccountKey(key, account.id)
        break
      }
      case 'device':
        await writer.linkAnonymousId(
          record.data.anonymousId,
          record.data.profileId,
          record.data.linkedAt,
        )
        break
      case 'mergeLog':
        await writer.appendMergeLog(record.data)
        break
      case 'event':
        await writer.appendEvent(record.data)
        break
      case 'impression':
        await writer.recordImpression(record.data)
        break
      case 'conversion':
        await writer.recordConversion(record.data)
        break
      case 'suppression':
        await writer.suppress([record.data])
        break
      case 'configVersion':
        await writer.appendConfigVersion(record.data)
        break
      case 'auditEntry': {
        // The target numbers entries itself; exported in order, they keep it.
        const entry: Partial<AuditEntry> = { ...record.data }
        delete entry.seq
        await writer.appendAuditEntry(entry as NewAuditEntry)
        break
      }
      case 'consoleUser':
        await writer.putConsoleUser(record.data)
        break
    }
  }
}
