import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { AppError } from '../../errors/app-error.ts'
import type { VariationCount } from '../../measurement/exposure.ts'
import { ChangeFeed, trackChanges, type ChangeListener } from '../change-feed.ts'
import { ReadSessions } from './read-sessions.ts'
import { sqliteMigrations } from './sqlite-schema.ts'
import { fromSqlite, messageKeyDigest, registerSqliteFunctions, toSqlite } from './sqlite-values.ts'
import type { IngestCall } from '../../pipeline/ingest-call.ts'
import type { IngestResult } from '../../pipeline/ingest-event.ts'
import { runCallInTransaction } from '../run-call.ts'
import type {
  ConsoleReads,
  ProfileKey,
  ProfileNeighbourhood,
  Store,
  StoreReader,
  StoreWriter,
} from '../store.ts'
import {
  accountParams,
  eventParams,
  mergeLogParams,
  profileParams,
  toAccount,
  toEvent,
  toImpression,
  toMergeLogEntry,
  toProfile,
  type Row,
} from '../store-rows.ts'
import { attachAccountKeys, nextCursor, pageQuery, recordTable } from '../record-tables.ts'
import {
  sqliteAuthoringReads,
  sqliteAuthoringWrites,
  type SqliteStatements,
} from './sqlite-authoring.ts'
import { writeRecords, type RecordPage } from '../store-records.ts'
import { readNeighbourhoodOnce } from '../profile-neighbourhood.ts'
import { defaultWriterCacheEntries, WriterCache } from './writer-cache.ts'

/**
 * The rows `experienceCounts` and `experienceDailyCounts` group: each impression of the
 * experience, with the profile's conversion of the goal inside the window after it (if any),
 * neither after `until`. Parameters: goal, window (ms), until, experience id, until.
 */
const armCountsFrom = `FROM impressions i
  LEFT JOIN conversions c ON c.profile_id = i.profile_id
    AND c.experience_id = i.experience_id AND c.goal = ?
    AND c.at >= i.at AND c.at <= i.at + ? AND c.at <= ?
  WHERE i.experience_id = ? AND i.at <= ?`

/** `until` of the arm counts: no bound by default. */
const always = Number.MAX_SAFE_INTEGER

/** Options of the SQLite engine. */
export interface SqliteStoreOptions {
  /**
   * `FULL` syncs the write-ahead log on every commit, so an answered call survives power loss;
   * `NORMAL` survives a process crash only. Default: `FULL`.
   */
  synchronous?: 'FULL' | 'NORMAL'
  /**
   * Path of a better-sqlite3 addon (`better_sqlite3.node`) built for the running Node, when it
   * is not the installed one (another runtime on the same install). Default: the installed one.
   */
  nativeBinding?: string
  /**
   * Rows of each kind (profiles, accounts, user ids, account keys) the writer keeps in memory
   * for the next call's lookups (see writer-cache.ts); 0 asks SQLite every time. Default: 20,000.
   */
  cacheEntries?: number
}

interface QueuedWork {
  fn: (tx: StoreWriter) => Promise<unknown>
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

/** Most transactions that share one COMMIT. */
const maxGroupSize = 256

/** Bytes per page of a new database file. */
const pageSize = 2048

/** Pages in the write-ahead log that start an automatic checkpoint. */
const checkpointPages = 2000

/**
 * The embedded default engine: one SQLite file in WAL mode, one writer. Transactions run one at
 * a time in this thread (grouped under one COMMIT), so `lock` has nothing to do. The container
 * runs it on a worker thread behind `SqliteStore` (sqlite-store.ts), so its statements and
 * fsyncs never block the event loop that serves requests.
 */
export class SqliteEngine implements Store {
  readonly engine = 'sqlite'
  readonly #db: Database.Database
  readonly #queue: QueuedWork[] = []
  #draining = false
  readonly #onIdle: (() => void)[] = []
  readonly #statements = new Map<string, Database.Statement>()
  readonly #writer: StoreWriter
  readonly #feed = new ChangeFeed()
  readonly #begin: string
  readonly #readSessions: ReadSessions | undefined
  #commits = 0
  readonly #onCommit: () => void
  readonly #cache: WriterCache
  /** `PRAGMA data_version` when this connection last looked: it moves when another one commits. */
  #dataVersion = 0
  /**
   * False while the file has never held a suppression: every call asks whether its identifiers
   * are suppressed, and on a site that never suppressed anyone the answer needs no statement.
   * Set at open and by any suppression this connection writes (this engine is the only writer).
   */
  #maySuppress = true

  /**
   * `readOnly`: a second connection to a file the writer already opened and migrated, for
   * reads only: `read` answers at once on it, in plain (deferred) read transactions that see
   * committed rows only and never take the write lock (see `read-sessions.ts`). Default: the
   * writer. `onCommit` runs after each COMMIT, before the group's callers hear of it. Default:
   * nothing.
   */
  constructor(
    file: string,
    options: SqliteStoreOptions & { readOnly?: boolean; onCommit?: () => void } = {},
  ) {
    const readOnly = options.readOnly === true
    this.#onCommit = options.onCommit ?? (() => undefined)
    if (file !== ':memory:' && !readOnly) mkdirSync(dirname(file), { recursive: true })
    this.#db = new Database(file, {
      readonly: readOnly,
      ...(options.nativeBinding === undefined ? {} : { nativeBinding: options.nativeBinding }),
    })
    if (!readOnly) {
      // Only a new, empty file takes a page size (an existing one keeps its own). Most writes
      // are inserts at random keys across several indexes, and a commit writes every page it
      // dirtied whole to the log: 2 KiB pages halve those bytes and the checkpoint's copying
      // (CPU per identify -17 % in process, see docs/performance.md).
      this.#db.pragma(`page_size = ${pageSize}`)
      this.#db.pragma('journal_mode = WAL')
      this.#db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`)
      // Behind `SqliteStore` a thread of its own checkpoints after the commits
      // (background-checkpoints.ts), and this threshold is the backstop. Alone, a checkpoint
      // copies each page of the log into the file once, however often the log holds it, and
      // the commit that starts it waits for it: every 2,000 pages (4 MiB) copies hot pages half
      // as often as SQLite's 1,000 and stalls the queue half as long as 4,000 (docs/performance.md).
      this.#db.pragma(`wal_autocheckpoint = ${checkpointPages}`)
    }
    registerSqliteFunctions(this.#db)
    this.#db.pragma('busy_timeout = 5000')
    // 64 MiB of page cache: profiles and their indexes stay in memory on a busy node.
    this.#db.pragma('cache_size = -65536')
    if (!readOnly) migrate(this.#db)
    this.#maySuppress = this.#holdsSuppression()
    this.#begin = readOnly ? 'BEGIN' : 'BEGIN IMMEDIATE'
    // A read-only connection's file is written by another: it could not trust what it kept.
    this.#cache = new WriterCache(
      readOnly ? 0 : (options.cacheEntries ?? defaultWriterCacheEntries),
    )
    this.#dataVersion = this.#dataVersionNow()
    this.#writer = this.#createWriter()
    this.#readSessions = readOnly
      ? new ReadSessions(
          () => this.#run('BEGIN'),
          () => this.#run('COMMIT'),
        )
      : undefined
  }

  transaction<T>(fn: (tx: StoreWriter) => Promise<T>): Promise<T> {
    return this.#enqueue(fn)
  }

  readNeighbourhood(key: ProfileKey): Promise<ProfileNeighbourhood | undefined> {
    return readNeighbourhoodOnce(this, key)
  }

  /**
   * A call's read, plan and write, one after the other in this thread's queue: no other
   * transaction runs in between, so its snapshot cannot change before its batch is written.
   */
  runCall(call: IngestCall): Promise<IngestResult> {
    return runCallInTransaction(this, call)
  }

  /** Commits so far: a read on another connection begun after the `n`th sees it. */
  get commits(): number {
    return this.#commits
  }

  read<T>(fn: (reader: StoreReader) => Promise<T>): Promise<T> {
    if (this.#readSessions !== undefined) return this.#readSessions.run(() => fn(this.#writer))
    // Through the same queue as writes: a read must never see another call's uncommitted rows.
    return this.#enqueue(fn)
  }

  /** On a read-only connection: another connection committed a write (see `read-sessions.ts`). */
  committed(): void {
    this.#readSessions?.committed()
  }

  /**
   * Group commit: transactions that queue up while one runs share the next SQLite transaction,
   * each inside its own savepoint, so one failing rolls back alone. Every promise settles only
   * after the shared COMMIT, so a caller never answers 2xx for a write that is not durable,
   * while one fsync serves the whole group.
   */
  #enqueue<T>(fn: (tx: StoreWriter) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ fn, resolve, reject } as QueuedWork)
      if (this.#draining) return
      this.#draining = true
      // Start on the next turn, after every request already read from the sockets has queued:
      // that is what makes groups bigger than one.
      setImmediate(() => void this.#drain())
    })
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) await this.#runGroup()
    } finally {
      this.#draining = false
      for (const callback of this.#onIdle.splice(0)) callback()
    }
  }

  async #runGroup(): Promise<void> {
    const done: { work: QueuedWork; ok: boolean; value: unknown }[] = []
    const changed = new Set<string>()
    try {
      this.#run(this.#begin)
      this.#checkDataVersion()
    } catch (error) {
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK')
      for (const work of this.#queue.splice(0)) work.reject(error)
      return
    }
    while (this.#queue.length > 0 && done.length < maxGroupSize) {
      const work = this.#queue.shift() as QueuedWork
      this.#run('SAVEPOINT work')
      const changedByWork = new Set<string>()
      try {
        const value = await work.fn(trackChanges(this.#writer, changedByWork))
        this.#run('RELEASE work')
        done.push({ work, ok: true, value })
        for (const key of changedByWork) changed.add(key)
      } catch (error) {
        this.#cache.clear()
        this.#run('ROLLBACK TO work')
        this.#run('RELEASE work')
        done.push({ work, ok: false, value: error })
      }
    }
    try {
      this.#run('COMMIT')
    } catch (error) {
      this.#cache.clear()
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK')
      for (const { work } of done) work.reject(error)
      return
    }
    this.#commits += 1
    this.#onCommit()
    this.#feed.emit({ kind: 'changed', origin: 'local', keys: [...changed] })
    for (const { work, ok, value } of done) {
      if (ok) work.resolve(value)
      else work.reject(value)
    }
  }

  onChange(listener: ChangeListener): () => void {
    return this.#feed.onChange(listener)
  }

  ping(): Promise<void> {
    return this.#enqueue(async () => {
      this.#get('SELECT 1')
    })
  }

  pruneMessages(before: number): Promise<number> {
    return this.#enqueue(async () => {
      return this.#run('DELETE FROM messages WHERE received_at < ?', before).changes
    })
  }

  /** Closes the file after the queued work has committed. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      const finish = () => {
        if (this.#db.open) this.#db.close()
        resolve()
      }
      if (this.#draining || this.#queue.length > 0) this.#onIdle.push(finish)
      else finish()
    })
  }

  /**
   * Forgets what this connection knows of the file without reading it, the writer's cache and
   * whether it may hold a suppression, when another connection committed to it since this one
   * last looked (a second process on the same file, say): the only writes it was not told of.
   * Runs inside the group's transaction, whose write lock keeps anyone else out until COMMIT.
   */
  #checkDataVersion(): void {
    const version = this.#dataVersionNow()
    if (version === this.#dataVersion) return
    this.#dataVersion = version
    this.#cache.clear()
    this.#maySuppress ||= this.#holdsSuppression()
  }

  #holdsSuppression(): boolean {
    return this.#get('SELECT 1 AS found FROM suppressions LIMIT 1') !== undefined
  }

  #dataVersionNow(): number {
    return this.#statement('PRAGMA data_version').pluck().get() as number
  }

  #statement(sql: string): Database.Statement {
    let statement = this.#statements.get(sql)
    if (statement === undefined) {
      statement = this.#db.prepare(sql)
      this.#statements.set(sql, statement)
    }
    return statement
  }

  /** The guarded statements, for the reads and writes kept in files of their own. */
  get #guarded(): SqliteStatements {
    return {
      get: (sql, ...params) => this.#get(sql, ...params),
      all: (sql, ...params) => this.#all(sql, ...params),
      run: (sql, ...params) => this.#run(sql, ...params),
    }
  }

  // Every parameter and row goes through the compact value rule (see sqlite-values.ts).
  #get(sql: string, ...params: unknown[]): Row | undefined {
    return this.#guard(() =>
      fromSqlite(this.#statement(sql).get(...params.map(toSqlite)) as Row | undefined),
    )
  }

  #all(sql: string, ...params: unknown[]): Row[] {
    return this.#guard(() =>
      (this.#statement(sql).all(...params.map(toSqlite)) as Row[]).map(fromSqlite),
    )
  }

  #run(sql: string, ...params: unknown[]): Database.RunResult {
    return this.#guard(() => this.#statement(sql).run(...params.map(toSqlite)))
  }

  /** Turns the engine's faults (busy, I/O, disk full, closed) into a retryable 503. */
  #guard<T>(action: () => T): T {
    try {
      return action()
    } catch (error) {
      if (isUnavailable(error)) {
        throw new AppError('store_unavailable', 'The profile store is unavailable; retry later', {
          cause: error,
        })
      }
      throw error
    }
  }

  #createWriter(): StoreWriter {
    return {
      profile: async (id) => {
        const row = this.#cache.profile(id, () =>
          this.#get('SELECT * FROM profiles WHERE id = ?', id),
        )
        return row === undefined ? undefined : toProfile(row)
      },
      profileIdByAnonymousId: async (anonymousId) =>
        this.#get('SELECT profile_id FROM anonymous_ids WHERE anonymous_id = ?', anonymousId)
          ?.profile_id as string | undefined,
      profileIdByUserId: async (userId) =>
        this.#cache.profileIdByUserId(
          userId,
          () =>
            this.#get('SELECT id FROM profiles WHERE user_id = ?', userId)?.id as
              string | undefined,
        ),
      anonymousIds: async (profileId) =>
        this.#all(
          'SELECT anonymous_id FROM anonymous_ids WHERE profile_id = ? ORDER BY linked_at, rowid',
          profileId,
        ).map((row) => row.anonymous_id as string),
      account: async (id) => {
        const row = this.#cache.account(id, () =>
          this.#get('SELECT * FROM accounts WHERE id = ?', id),
        )
        return row === undefined ? undefined : toAccount(row)
      },
      accountIdByKey: async (key) =>
        this.#cache.accountIdByKey(
          key,
          () =>
            this.#get('SELECT account_id FROM account_keys WHERE key = ?', key)?.account_id as
              string | undefined,
        ),
      accountKeys: async (accountId) =>
        this.#all(
          'SELECT key FROM account_keys WHERE account_id = ? ORDER BY rowid',
          accountId,
        ).map((row) => row.key as string),
      mergeLog: async (profileId) =>
        this.#all(
          'SELECT * FROM merge_log WHERE into_profile_id = ? OR from_profile_id = ? ORDER BY seq',
          profileId,
          profileId,
        ).map(toMergeLogEntry),
      events: async (profileId, limit) =>
        this.#all(
          'SELECT * FROM events WHERE profile_id = ? ORDER BY at, seq LIMIT ?',
          profileId,
          limit,
        ).map(toEvent),
      messageSeen: async (key) =>
        this.#get('SELECT 1 AS seen FROM messages WHERE key = ?', messageKeyDigest(key)) !==
        undefined,
      suppressedKeys: async (keys) =>
        this.#readSessions === undefined && !this.#maySuppress
          ? []
          : this.#all(
              'SELECT key FROM suppressions WHERE key IN (SELECT value FROM json_each(?))',
              JSON.stringify(keys),
            ).map((row) => row.key as string),
      claimMessage: async (key, receivedAt) =>
        this.#run(
          'INSERT INTO messages (key, received_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING',
          messageKeyDigest(key),
          receivedAt,
        ).changes === 1,
      lock: async () => undefined,
      putProfile: async (profile) => {
        const [id, userId, accountId, doc, createdAt, updatedAt] = profileParams(profile)
        // Most writes change only the document (traits, visitor counters): updating just it
        // leaves the pages of the user-id and account indexes alone.
        const row = {
          id,
          user_id: userId,
          account_id: accountId,
          doc,
          created_at: createdAt,
          updated_at: updatedAt,
        }
        const same = this.#run(
          `UPDATE profiles SET doc = ?, updated_at = ?
           WHERE id = ? AND user_id IS ? AND account_id IS ? AND created_at = ?`,
          doc,
          updatedAt,
          id,
          userId,
          accountId,
          createdAt,
        )
        if (same.changes === 1) {
          this.#cache.profileWritten(row)
          return
        }
        this.#run(
          `INSERT INTO profiles (id, user_id, account_id, doc, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, account_id = excluded.account_id,
             doc = excluded.doc, created_at = excluded.created_at, updated_at = excluded.updated_at`,
          id,
          userId,
          accountId,
          doc,
          createdAt,
          updatedAt,
        )
        this.#cache.profileWritten(row)
      },
      deleteProfile: async (id) => {
        this.#run('DELETE FROM profiles WHERE id = ?', id)
        this.#cache.profileDeleted(id)
        this.#run('DELETE FROM impressions WHERE profile_id = ?', id)
        this.#run('DELETE FROM conversions WHERE profile_id = ?', id)
      },
      linkAnonymousId: async (anonymousId, profileId, at) => {
        this.#run(
          `INSERT INTO anonymous_ids (anonymous_id, profile_id, linked_at) VALUES (?, ?, ?)
           ON CONFLICT (anonymous_id) DO UPDATE SET profile_id = excluded.profile_id,
             linked_at = excluded.linked_at`,
          anonymousId,
          profileId,
          at,
        )
      },
      unlinkAnonymousId: async (anonymousId) => {
        this.#run('DELETE FROM anonymous_ids WHERE anonymous_id = ?', anonymousId)
      },
      moveProfileData: async (fromProfileId, toProfileId) => {
        this.#run(
          'UPDATE anonymous_ids SET profile_id = ? WHERE profile_id = ?',
          toProfileId,
          fromProfileId,
        )
        this.#run(
          'UPDATE events SET profile_id = ? WHERE profile_id = ?',
          toProfileId,
          fromProfileId,
        )
        // OR IGNORE leaves a row whose key the receiving profile already holds; it is then dropped.
        for (const table of ['impressions', 'conversions']) {
          this.#run(
            `UPDATE OR IGNORE ${table} SET profile_id = ? WHERE profile_id = ?`,
            toProfileId,
            fromProfileId,
          )
          this.#run(`DELETE FROM ${table} WHERE profile_id = ?`, fromProfileId)
        }
      },
      putAccount: async (account) => {
        const [id, doc, createdAt, updatedAt] = accountParams(account) as [
          string,
          string,
          number,
          number,
        ]
        // An account that exists keeps its created_at: only what the update sets is known.
        const updated = this.#run(
          'UPDATE accounts SET doc = ?, updated_at = ? WHERE id = ?',
          doc,
          updatedAt,
          id,
        )
        if (updated.changes === 1) {
          this.#cache.accountUpdated(id, { doc, updated_at: updatedAt })
          return
        }
        this.#run(
          'INSERT INTO accounts (id, doc, created_at, updated_at) VALUES (?, ?, ?, ?)',
          id,
          doc,
          createdAt,
          updatedAt,
        )
        this.#cache.accountWritten({ id, doc, created_at: createdAt, updated_at: updatedAt })
      },
      linkAccountKey: async (key, accountId) => {
        this.#run(
          `INSERT INTO account_keys (key, account_id) VALUES (?, ?)
           ON CONFLICT (key) DO UPDATE SET account_id = excluded.account_id`,
          key,
          accountId,
        )
        this.#cache.accountKeyLinked(key, accountId)
      },
      appendMergeLog: async (entry) => {
        this.#run(
          `INSERT INTO merge_log (at, kind, from_profile_id, into_profile_id, anonymous_id, user_id,
             reason, message_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          ...mergeLogParams(entry),
        )
      },
      appendEvent: async (event) => {
        this.#run(
          `INSERT INTO events (profile_id, type, name, at, received_at, message_id, properties)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
          ...eventParams(event),
        )
      },
      deleteEvents: async (profileId) =>
        this.#run('DELETE FROM events WHERE profile_id = ?', profileId).changes,
      deleteMergeLog: async (selector) => {
        // Lists travel as JSON arrays so one prepared statement serves any number of ids.
        const profiles = JSON.stringify(selector.profileIds)
        return this.#run(
          `DELETE FROM merge_log
           WHERE into_profile_id IN (SELECT parley_id(value) FROM json_each(?))
              OR from_profile_id IN (SELECT parley_id(value) FROM json_each(?))
              OR user_id IN (SELECT parley_id(value) FROM json_each(?))
              OR anonymous_id IN (SELECT parley_id(value) FROM json_each(?))`,
          profiles,
          profiles,
          JSON.stringify(selector.userIds),
          JSON.stringify(selector.anonymousIds),
        ).changes
      },
      suppress: async (entries) => {
        this.#maySuppress = true
        for (const entry of entries) {
          this.#run(
            `INSERT INTO suppressions (key, kind, reason, at) VALUES (?, ?, ?, ?)
             ON CONFLICT (key) DO NOTHING`,
            entry.key,
            entry.kind,
            entry.reason,
            entry.at,
          )
        }
      },
      unsuppress: async (keys) => {
        return this.#run(
          'DELETE FROM suppressions WHERE key IN (SELECT value FROM json_each(?))',
          JSON.stringify(keys),
        ).changes
      },
      impressions: async (profileId) =>
        this.#all('SELECT * FROM impressions WHERE profile_id = ? ORDER BY at', profileId).map(
          toImpression,
        ),
      experienceCounts: async (experienceId, goal, windowMs, until = always) =>
        this.#all(
          `SELECT i.variation, i.control, COUNT(*) AS visitors, COUNT(c.profile_id) AS conversions
           ${armCountsFrom}
           GROUP BY i.variation, i.control
           ORDER BY i.control DESC, i.variation`,
          goal,
          windowMs,
          until,
          experienceId,
          until,
        ).map(toCount),
      ...this.#consoleReads(),
      ...sqliteAuthoringReads(this.#guarded),
      ...sqliteAuthoringWrites(this.#guarded),
      exportPage: async (kind, after, limit) => this.#exportPage(kind, after, limit),
      importRecords: (records) => writeRecords(this.#writer, records),
      recordImpression: async (impression) => {
        return (
          this.#run(
            `INSERT INTO impressions (profile_id, experience_id, variation, control, at)
           VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
            impression.profileId,
            impression.experienceId,
            impression.variation,
            impression.control ? 1 : 0,
            impression.at,
          ).changes === 1
        )
      },
      recordConversion: async (conversion) =>
        this.#run(
          `INSERT INTO conversions (profile_id, experience_id, goal, at) VALUES (?, ?, ?, ?)
           ON CONFLICT DO NOTHING`,
          conversion.profileId,
          conversion.experienceId,
          conversion.goal,
          conversion.at,
        ).changes === 1,
    }
  }

  /** One page of an export (see `StoreReader.exportPage`), accounts with their keys. */
  #exportPage(
    kind: Parameters<StoreReader['exportPage']>[0],
    after: Parameters<StoreReader['exportPage']>[1],
    limit: number,
  ): RecordPage {
    const spec = recordTable(kind, 'rowid')
    const page = this.#all(
      pageQuery(spec, after, () => '?'),
      ...(after ?? []),
      limit,
    )
    const records = page.map(spec.toRecord)
    if (kind === 'account' && records.length > 0) {
      const keys = this.#all(
        `SELECT key, account_id FROM account_keys
         WHERE account_id IN (SELECT parley_id(value) FROM json_each(?)) ORDER BY rowid`,
        JSON.stringify(page.map((row) => row.id)),
      )
      attachAccountKeys(records, keys)
    }
    return { records, next: nextCursor(spec, page, limit) }
  }

  /** The console's reads (see `ConsoleReads`). */
  #consoleReads(): ConsoleReads {
    return {
      experienceDailyCounts: async (experienceId, goal, windowMs, until = always) =>
        this.#all(
          `SELECT strftime('%Y-%m-%d', i.at / 1000, 'unixepoch') AS day, i.variation, i.control,
             COUNT(*) AS visitors, COUNT(c.profile_id) AS conversions
           ${armCountsFrom}
           GROUP BY day, i.variation, i.control
           ORDER BY day, i.control DESC, i.variation`,
          goal,
          windowMs,
          until,
          experienceId,
          until,
        ).map((row) => ({ day: row.day as string, ...toCount(row) })),
      profileIdsByAccount: async (accountId, limit) =>
        this.#all(
          'SELECT id FROM profiles WHERE account_id = ? ORDER BY id LIMIT ?',
          accountId,
          limit,
        ).map((row) => row.id as string),
      profilesMentioning: async (text, limit) =>
        this.#all(
          `SELECT * FROM profiles WHERE doc LIKE ? ESCAPE '\\' LIMIT ?`,
          `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`,
          limit,
        ).map(toProfile),
      profileSample: async (limit) => ({
        total: (this.#all('SELECT COUNT(*) AS n FROM profiles')[0]?.n as number | undefined) ?? 0,
        profiles: this.#all('SELECT * FROM profiles ORDER BY id LIMIT ?', limit).map(toProfile),
      }),
    }
  }
}

/** One arm's count row of `experienceCounts` / `experienceDailyCounts`. */
function toCount(row: Row): VariationCount {
  return {
    variation: row.variation as string,
    control: row.control === 1,
    visitors: row.visitors as number,
    conversions: row.conversions as number,
  }
}

function migrate(db: Database.Database): void {
  const applied = db.pragma('user_version', { simple: true }) as number
  for (let step = applied; step < sqliteMigrations.length; step += 1) {
    db.transaction(() => {
      db.exec(sqliteMigrations[step] ?? '')
      db.pragma(`user_version = ${step + 1}`)
    }).immediate()
  }
}

function isUnavailable(error: unknown): boolean {
  if (error instanceof TypeError && /database connection is not open/.test(error.message))
    return true
  const code = (error as { code?: unknown }).code
  return (
    typeof code === 'string' &&
    /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|NOTADB|CORRUPT|PROTOCOL)/.test(code)
  )
}
