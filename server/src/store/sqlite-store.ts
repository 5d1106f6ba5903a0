import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { AppError } from '../errors/app-error.ts'
import { ChangeFeed, trackChanges, type ChangeListener } from './change-feed.ts'
import { Mutex } from './mutex.ts'
import { sqliteMigrations } from './sqlite-schema.ts'
import type { Store, StoreReader, StoreWriter } from './store.ts'
import {
  accountParams,
  eventParams,
  mergeLogParams,
  profileParams,
  toAccount,
  toEvent,
  toMergeLogEntry,
  toProfile,
  type Row,
} from './store-rows.ts'

/** Options of the SQLite engine. */
export interface SqliteStoreOptions {
  /**
   * `FULL` syncs the write-ahead log on every commit, so an answered call survives power loss;
   * `NORMAL` survives a process crash only. Default: `FULL`.
   */
  synchronous?: 'FULL' | 'NORMAL'
}

/**
 * The embedded default engine: one SQLite file in WAL mode, one writer. Transactions are
 * serialised in-process, so `lock` has nothing to do.
 */
export class SqliteStore implements Store {
  readonly engine = 'sqlite'
  readonly #db: Database.Database
  readonly #mutex = new Mutex()
  readonly #statements = new Map<string, Database.Statement>()
  readonly #writer: StoreWriter
  readonly #feed = new ChangeFeed()

  constructor(file: string, options: SqliteStoreOptions = {}) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
    this.#db = new Database(file)
    this.#db.pragma('journal_mode = WAL')
    this.#db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`)
    this.#db.pragma('busy_timeout = 5000')
    migrate(this.#db)
    this.#writer = this.#createWriter()
  }

  transaction<T>(fn: (tx: StoreWriter) => Promise<T>): Promise<T> {
    return this.#mutex.run(async () => {
      this.#guard(() => this.#db.exec('BEGIN IMMEDIATE'))
      const changed = new Set<string>()
      try {
        const result = await fn(trackChanges(this.#writer, changed))
        this.#guard(() => this.#db.exec('COMMIT'))
        this.#feed.emit({ kind: 'changed', origin: 'local', keys: [...changed] })
        return result
      } catch (error) {
        if (this.#db.inTransaction) this.#db.exec('ROLLBACK')
        throw error
      }
    })
  }

  read<T>(fn: (reader: StoreReader) => Promise<T>): Promise<T> {
    // Through the same queue as writes: a read must never see another call's uncommitted rows.
    return this.#mutex.run(() => fn(this.#writer))
  }

  onChange(listener: ChangeListener): () => void {
    return this.#feed.onChange(listener)
  }

  ping(): Promise<void> {
    return this.#mutex.run(async () => {
      this.#guard(() => this.#db.prepare('SELECT 1').get())
    })
  }

  pruneMessages(before: number): Promise<number> {
    return this.#mutex.run(async () =>
      this.#guard(() => this.#run('DELETE FROM messages WHERE received_at < ?', before).changes),
    )
  }

  close(): Promise<void> {
    return this.#mutex.run(async () => {
      if (this.#db.open) this.#db.close()
    })
  }

  #statement(sql: string): Database.Statement {
    let statement = this.#statements.get(sql)
    if (statement === undefined) {
      statement = this.#db.prepare(sql)
      this.#statements.set(sql, statement)
    }
    return statement
  }

  #get(sql: string, ...params: unknown[]): Row | undefined {
    return this.#guard(() => this.#statement(sql).get(...params) as Row | undefined)
  }

  #all(sql: string, ...params: unknown[]): Row[] {
    return this.#guard(() => this.#statement(sql).all(...params) as Row[])
  }

  #run(sql: string, ...params: unknown[]): Database.RunResult {
    return this.#guard(() => this.#statement(sql).run(...params))
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
        const row = this.#get('SELECT * FROM profiles WHERE id = ?', id)
        return row === undefined ? undefined : toProfile(row)
      },
      profileIdByAnonymousId: async (anonymousId) =>
        this.#get('SELECT profile_id FROM anonymous_ids WHERE anonymous_id = ?', anonymousId)
          ?.profile_id as string | undefined,
      profileIdByUserId: async (userId) =>
        this.#get('SELECT id FROM profiles WHERE user_id = ?', userId)?.id as string | undefined,
      anonymousIds: async (profileId) =>
        this.#all(
          'SELECT anonymous_id FROM anonymous_ids WHERE profile_id = ? ORDER BY linked_at, rowid',
          profileId,
        ).map((row) => row.anonymous_id as string),
      account: async (id) => {
        const row = this.#get('SELECT * FROM accounts WHERE id = ?', id)
        return row === undefined ? undefined : toAccount(row)
      },
      accountIdByKey: async (key) =>
        this.#get('SELECT account_id FROM account_keys WHERE key = ?', key)?.account_id as
          string | undefined,
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
      claimMessage: async (key, receivedAt) =>
        this.#run(
          'INSERT INTO messages (key, received_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING',
          key,
          receivedAt,
        ).changes === 1,
      lock: async () => undefined,
      putProfile: async (profile) => {
        this.#run(
          `INSERT INTO profiles (id, user_id, account_id, doc, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, account_id = excluded.account_id,
             doc = excluded.doc, created_at = excluded.created_at, updated_at = excluded.updated_at`,
          ...profileParams(profile),
        )
      },
      deleteProfile: async (id) => {
        this.#run('DELETE FROM profiles WHERE id = ?', id)
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
      },
      putAccount: async (account) => {
        this.#run(
          `INSERT INTO accounts (id, doc, created_at, updated_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at`,
          ...accountParams(account),
        )
      },
      linkAccountKey: async (key, accountId) => {
        this.#run(
          `INSERT INTO account_keys (key, account_id) VALUES (?, ?)
           ON CONFLICT (key) DO UPDATE SET account_id = excluded.account_id`,
          key,
          accountId,
        )
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
    }
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
