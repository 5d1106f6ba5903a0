import type { Writable } from 'node:stream'
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { AppError } from '../../errors/app-error.ts'
import { ChangeFeed, trackChanges, type ChangeListener } from '../change-feed.ts'
import { PostgresChangeListener } from './postgres-listener.ts'
import { PostgresNotifier } from './postgres-notifier.ts'
import { isConnectionFault, isRetryable, toStoreError } from './postgres-errors.ts'
import { migrate } from './postgres-migrate.ts'
import type { IngestCall } from '../../pipeline/ingest-call.ts'
import type { IngestResult } from '../../pipeline/ingest-event.ts'
import { plannerOf } from '../../pipeline/plan-call.ts'
import { PostgresCallGroups } from './postgres-call-groups.ts'
import { PostgresLookupGroups } from './postgres-lookup-groups.ts'
import { DeferredCommits } from './postgres-deferred-commits.ts'
import { postgresWriter, type Sql } from './postgres-queries.ts'
import { prefetchingReader } from './postgres-read-session.ts'
import { parsePostgresUrl } from './postgres-url.ts'
import type { ProfileKey, ProfileNeighbourhood, Store, StoreReader, StoreWriter } from '../store.ts'
import type { Row } from '../store-rows.ts'

/** Options of the PostgreSQL engine. */
export interface PostgresStoreOptions {
  /** `postgres://user@host:port/db`, optionally `?schema=name` (default schema: `public`). */
  url: string
  /** Connections per instance. Default: 10. */
  poolSize?: number
  /**
   * Longest wait for a connection, new or from the busy pool, before the call fails with
   * `store_unavailable`. Default: 5,000 ms.
   */
  connectTimeoutMs?: number
  /**
   * Longest run of one statement (PostgreSQL `statement_timeout`, lock waits included); the
   * client gives up 500 ms later when the server does not answer at all. Default: 5,000 ms.
   */
  statementTimeoutMs?: number
  /** Attempts of a transaction that hits a serialization failure or deadlock. Default: 5. */
  maxAttempts?: number
  /** Most pipeline calls that share one transaction (group commit). Default: 64. */
  maxGroupSize?: number
  /** Groups of calls in flight at once, each on a connection of its own. Default: 2. */
  maxGroupsInFlight?: number
  /** Faults no request sees (an idle connection dropped, the listener lost). Default: ignored. */
  onBackgroundError?: (error: unknown, where: string) => void
}

/**
 * The scale-out engine: any number of container instances share one PostgreSQL database.
 * Transactions run at READ COMMITTED; `lock(keys)` takes transaction-scoped advisory locks in one
 * global order, so two instances resolving the same identity queue instead of both creating it;
 * conflicts PostgreSQL reports (deadlock, serialization failure, unique violation) re-run the
 * transaction a bounded number of times. What a commit changed is NOTIFYed to every instance
 * right after it (see `postgres-notifier.ts`).
 */
export class PostgresStore implements Store {
  readonly engine = 'postgres'
  readonly #pool: pg.Pool
  readonly #schema: string
  readonly #channel: string
  readonly #instanceId = randomUUID()
  readonly #feed: ChangeFeed
  readonly #listener: PostgresChangeListener
  readonly #notifier: PostgresNotifier
  readonly #maxAttempts: number
  readonly #groups: PostgresCallGroups
  readonly #lookups: PostgresLookupGroups
  readonly #deferredCommits = new DeferredCommits()
  /** Settings of a migration's own connection: no statement limit, as a migration may be long. */
  readonly #migrationClient: pg.ClientConfig

  private constructor(options: PostgresStoreOptions) {
    const { connection, schema } = parsePostgresUrl(options.url)
    const statementTimeoutMs = options.statementTimeoutMs ?? 5_000
    const connectTimeoutMs = options.connectTimeoutMs ?? 5_000
    const onBackgroundError = options.onBackgroundError ?? (() => undefined)
    const client: pg.ClientConfig = {
      connectionString: connection,
      options: `-c search_path=${schema}`,
      statement_timeout: statementTimeoutMs,
      // The client-side guard for a server that vanished without closing the socket.
      query_timeout: statementTimeoutMs + 500,
      idle_in_transaction_session_timeout: statementTimeoutMs * 2,
      connectionTimeoutMillis: connectTimeoutMs,
      keepAlive: true,
      types: { getTypeParser: bigintAsNumber },
      // PGAPPNAME, when set, names the connections instead (to tell instances apart).
      fallback_application_name: 'parley',
    }
    this.#migrationClient = { ...client, statement_timeout: 0, query_timeout: 0 }
    this.#schema = schema
    this.#channel = schema === 'public' ? 'parley_changes' : `parley_changes_${schema}`
    this.#maxAttempts = options.maxAttempts ?? 5
    this.#feed = new ChangeFeed((error) => onBackgroundError(error, 'change listener callback'))
    // Pipeline mode: statements sent without awaiting the previous answer share a round trip.
    this.#pool = new pg.Pool({ ...client, max: options.poolSize ?? 10, pipeline: true })
    // An idle connection that breaks is dropped by the pool; without a handler Node would crash.
    this.#pool.on('error', (error) => onBackgroundError(error, 'idle connection'))
    this.#notifier = new PostgresNotifier({
      from: this.#instanceId,
      send: async (payload) => {
        await this.#session((sql) => sql.rows('SELECT pg_notify($1, $2)', [this.#channel, payload]))
      },
      onError: (error) => onBackgroundError(error, 'change notifier'),
    })
    this.#listener = new PostgresChangeListener({
      client,
      channel: this.#channel,
      instanceId: this.#instanceId,
      feed: this.#feed,
      heartbeatMs: Math.max(1_000, statementTimeoutMs),
      onError: (error) => onBackgroundError(error, 'change listener'),
    })
    this.#groups = new PostgresCallGroups({
      session: (work) => this.#session((sql) => work(sql)),
      lockNamespace: schema,
      committed: (keys) => this.#committed(keys),
      maxAttempts: this.#maxAttempts,
      ...(options.maxGroupSize === undefined ? {} : { maxGroupSize: options.maxGroupSize }),
      ...(options.maxGroupsInFlight === undefined
        ? {}
        : { maxGroupsInFlight: options.maxGroupsInFlight }),
    })
    this.#lookups = new PostgresLookupGroups((work) => this.#session((sql) => work(sql)))
  }

  /**
   * Connects, applies pending migrations (safe when several instances start at once) and starts
   * listening for other instances' changes. Rejects when the database cannot be reached.
   */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const store = new PostgresStore(options)
    try {
      const client = new pg.Client(store.#migrationClient)
      client.on('error', () => undefined) // the failing query rejects; nothing else to do
      await client.connect()
      try {
        await migrate(client, store.#schema)
      } finally {
        await client.end()
      }
      await store.#listener.start()
      return store
    } catch (error) {
      await store.close()
      throw toStoreError(error)
    }
  }

  transaction<T>(fn: (tx: StoreWriter) => Promise<T>): Promise<T> {
    return this.#retrying((tx) => fn(tx))
  }

  /**
   * A call in two round trips, in one transaction with the calls that arrived with it (group
   * commit, see `postgres-call-groups.ts`): [BEGIN, locks, snapshot], then [writes, COMMIT].
   */
  runCall(call: IngestCall): Promise<IngestResult> {
    const { request, plan } = plannerOf(call)
    return this.#groups.run(request, plan)
  }

  async #retrying<T>(fn: (tx: StoreWriter) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.#attempt(fn)
      } catch (error) {
        if (attempt >= this.#maxAttempts || !isRetryable(error)) throw toStoreError(error)
        // Jittered backoff, so the transactions that collided do not collide again in step.
        await sleep(Math.random() * 10 * 2 ** attempt)
      }
    }
  }

  /**
   * Reads in one REPEATABLE READ snapshot (a view never mixes two commits), in as few round trips
   * as the reads allow: BEGIN goes out with the first statement, a profile found by a user id or
   * a device comes with its neighbourhood (`postgres-read-session.ts`), and the read-only
   * transaction's COMMIT is held back to leave with the connection's next statement
   * (`postgres-deferred-commits.ts`): the answer never waits for it.
   */
  read<T>(fn: (reader: StoreReader) => Promise<T>): Promise<T> {
    return this.#session(async (sql, leaveOpen) => {
      let begun = false
      const begin = () => {
        if (begun) return
        begun = true
        // Its failure (a lost connection) fails the statement behind it, which reports it.
        sql
          .count('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', [], 'cached')
          .catch(() => undefined)
      }
      const lazy: Sql = {
        rows: (text, params, plan) => (begin(), sql.rows(text, params, plan)),
        count: (text, params, plan) => (begin(), sql.count(text, params, plan)),
        commit: () => sql.commit(),
      }
      const result = await fn(prefetchingReader(lazy))
      if (begun) leaveOpen()
      return result
    }).catch((error: unknown) => {
      throw toStoreError(error)
    })
  }

  /**
   * One statement outside any transaction, shared with the lookups that arrived with it (see
   * `postgres-lookup-groups.ts`).
   */
  readNeighbourhood(key: ProfileKey): Promise<ProfileNeighbourhood | undefined> {
    return this.#lookups.run(key)
  }

  onChange(listener: ChangeListener): () => void {
    return this.#feed.onChange(listener)
  }

  async ping(): Promise<void> {
    try {
      await this.#session((sql) => sql.rows('SELECT 1', []))
    } catch (error) {
      throw toStoreError(error)
    }
    if (!this.#listener.connected) {
      throw new AppError(
        'store_unavailable',
        'The change listener is reconnecting; caches may be stale',
      )
    }
  }

  async pruneMessages(before: number): Promise<number> {
    try {
      return await this.#session((sql) =>
        sql.count('DELETE FROM messages WHERE received_at < $1', [before]),
      )
    } catch (error) {
      throw toStoreError(error)
    }
  }

  async close(): Promise<void> {
    await this.#notifier.close()
    await this.#listener.stop()
    this.#deferredCommits.clear()
    if (!this.#pool.ended) await this.#pool.end()
  }

  async #attempt<T>(fn: (tx: StoreWriter) => Promise<T>): Promise<T> {
    return this.#session(async (sql) => {
      const changed = new Set<string>()
      await sql.count('BEGIN', [], 'cached')
      const result = await fn(trackChanges(postgresWriter(sql, this.#schema), changed))
      // COMMIT of a transaction an earlier error aborted answers ROLLBACK, not an error: a
      // caller that swallowed that error must still not be told its writes are durable.
      if (!(await sql.commit())) {
        throw new Error('The transaction was rolled back by an earlier error it swallowed')
      }
      this.#committed([...changed])
      return result
    })
  }

  /** What a commit changed, to this process's caches at once and to the other instances. */
  #committed(keys: string[]): void {
    this.#feed.emit({ kind: 'changed', origin: 'local', keys })
    this.#notifier.publish(keys)
  }

  /**
   * Runs `work` on one pooled connection: the only way this engine takes one, so a COMMIT a
   * finished read left owing (`leaveOpen`) always goes out ahead of the connection's next
   * statement, in the same write. On failure it rolls back whatever is open; a connection that
   * failed as a connection is destroyed rather than handed to the next caller.
   */
  async #session<T>(
    work: (
      sql: Sql,
      /** The read-only transaction is done: its COMMIT may wait for the connection's next use. */
      leaveOpen: () => void,
    ) => Promise<T>,
  ): Promise<T> {
    const client = await this.#pool.connect()
    let broken: Error | undefined
    // A checked-out client whose socket fails emits 'error'; unheard, that would crash Node.
    // The query in flight rejects on its own; the client is destroyed on release.
    const onSocketError = (error: Error) => {
      broken ??= error
    }
    client.on('error', onSocketError)
    const together = sendsTogether(client)
    const send = (text: string, params: unknown[] | undefined, plan?: 'cached') => {
      together()
      this.#deferredCommits.settle(client)
      return client.query<Row>(statement(text, params, plan))
    }
    const sql: Sql = {
      rows: async (text, params, plan) => (await send(text, params, plan)).rows,
      count: async (text, params, plan) => (await send(text, params, plan)).rowCount ?? 0,
      commit: async () => (await send('COMMIT', [], 'cached')).command === 'COMMIT',
    }
    try {
      return await work(sql, () => this.#deferredCommits.defer(client))
    } catch (error) {
      if (isConnectionFault(error)) broken = error as Error
      else {
        this.#deferredCommits.settle(client)
        await client.query('ROLLBACK').catch((rollbackError: unknown) => {
          broken = rollbackError instanceof Error ? rollbackError : new Error('rollback failed')
        })
      }
      throw error
    } finally {
      client.off('error', onSocketError)
      client.release(broken)
    }
  }
}

/**
 * Statements a session sends in one turn of the event loop leave in one write: the connection's
 * socket is corked at the first and uncorked on the next tick. Pipelined statements (BEGIN and
 * the read behind it) then cost the container one system call and wake PostgreSQL once.
 */
function sendsTogether(client: pg.PoolClient): () => void {
  const stream = (client as unknown as { connection?: { stream?: Writable } }).connection?.stream
  let corked = false
  const uncork = () => {
    corked = false
    stream?.uncork()
  }
  return () => {
    if (corked || stream === undefined) return
    corked = true
    stream.cork()
    process.nextTick(uncork)
  }
}

const statementNames = new Map<string, string>()

/**
 * A query: planned on every run, or (`cached`) a named prepared statement that each connection
 * parses and plans once and then only binds and runs (see `Sql`). The cached statements are a
 * fixed set of texts, so the names stay few.
 */
function statement(text: string, values: unknown[] = [], plan?: 'cached'): pg.QueryConfig {
  if (plan !== 'cached') return { text, values }
  let name = statementNames.get(text)
  if (name === undefined) {
    name = `parley_${statementNames.size}`
    statementNames.set(text, name)
  }
  return { name, text, values }
}

/** int8 (`bigint`, `count(*)`) as a JS number: every value here is a ms time or a count. */
function bigintAsNumber(oid: number, format?: string): (value: string) => unknown {
  if (oid === 20) return Number
  return pg.types.getTypeParser(oid, format as 'text') as (value: string) => unknown
}
