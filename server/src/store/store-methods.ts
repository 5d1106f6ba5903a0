import type { StoreReader, StoreWriter } from './store.ts'

/*
 * The store's methods by name, for the code that forwards calls it does not implement itself
 * (the SQLite engine's sessions across threads, the cache's reads it does not keep). Each list
 * is checked against its interface: a method added to one and not here fails to compile.
 */

/** Every method of a `StoreReader`. */
export const readerMethods = [
  'profile',
  'profileIdByAnonymousId',
  'profileIdByUserId',
  'anonymousIds',
  'account',
  'accountIdByKey',
  'accountKeys',
  'mergeLog',
  'events',
  'messageSeen',
  'suppressedKeys',
  'impressions',
  'experienceCounts',
  'experienceDailyCounts',
  'profileIdsByAccount',
  'profilesMentioning',
  'profileSample',
  'exportPage',
  'latestConfigVersion',
  'latestConfigVersionNumber',
  'configVersion',
  'configVersions',
  'auditLog',
  'consoleUser',
  'consoleUsers',
] as const satisfies readonly (keyof StoreReader)[]

/** Every method a `StoreWriter` adds to the reader's. */
export const writeMethods = [
  'claimMessage',
  'lock',
  'putProfile',
  'deleteProfile',
  'linkAnonymousId',
  'unlinkAnonymousId',
  'moveProfileData',
  'putAccount',
  'linkAccountKey',
  'appendMergeLog',
  'appendEvent',
  'deleteEvents',
  'deleteMergeLog',
  'suppress',
  'unsuppress',
  'recordImpression',
  'recordConversion',
  'importRecords',
  'appendConfigVersion',
  'appendAuditEntry',
  'putConsoleUser',
  'deleteConsoleUser',
] as const satisfies readonly Exclude<keyof StoreWriter, keyof StoreReader>[]

// A method of the interfaces missing from the lists makes one of these `false`, and fails here.
const everyReadListed: [Exclude<keyof StoreReader, (typeof readerMethods)[number]>] extends [never]
  ? true
  : false = true
const everyWriteListed: [
  Exclude<keyof StoreWriter, keyof StoreReader | (typeof writeMethods)[number]>,
] extends [never]
  ? true
  : false = true
void everyReadListed
void everyWriteListed
