import type { CallPlan, CallRequest, Planner, WriteOp } from '../call-batch.ts'
import { widen } from '../run-call.ts'
import { StoreConflictError } from '../store-conflict.ts'
import {
  isConnectionFault,
  isRetryable,
  isStatementTimeout,
  toStoreError,
} from './postgres-errors.ts'
import { sortedAdvisoryKeys } from './postgres-lock-keys.ts'
import type { Sql } from './postgres-queries.ts'
import { GroupPump } from './group-pump.ts'
import { GroupSnapshot } from './group-snapshot.ts'
import { decodeGroupSnapshot, readGroupSnapshot } from './postgres-snapshot.ts'
import { changedKeys, encodeGroupWrites, type WriteOutcome } from './postgres-write-batch.ts'

/** How the engine lends the group runner a connection and hears of its commits. */
export interface CallGroupsOptions {
  /**
   * Runs `work` on one pooled connection (in pipeline mode: statements sent without awaiting
   * go out together); rolls back whatever is open when `work` throws.
   */
  session: <T>(work: (sql: Sql) => Promise<T>) => Promise<T>
  /** Keeps the advisory locks of stores on different schemas of one database apart. */
  lockNamespace: string
  /** Called with the change keys of a group right after its COMMIT, before any answer. */
  committed: (keys: string[]) => void
  /** Attempts of one call that keeps conflicting (alone, after its group failed). */
  maxAttempts: number
  /** Most calls in one group. Default: 64. */
  maxGroupSize?: number
  /** Groups in flight at once, each on its own connection. Default: 2. */
  maxGroupsInFlight?: number
  /**
   * The least waiting calls that start a group while another is in flight (see `GroupPump`).
   * Default: 4.
   */
  overlapAt?: number
}

/** Longest chain of `read-more` answers one call may give before it counts as a conflict. */
const maxReads = 3

interface QueuedCall {
  /** What the call reads and locks (all of it: a call that reads again starts a new group). */
  request: CallRequest
  plan: Planner<unknown>
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
  reads: number
  conflicts: number
  /** Its group failed: it now runs in a transaction of its own. */
  alone: boolean
}

/** What a group's transaction did with each of its calls. */
interface GroupOutcome {
  answered: { call: QueuedCall; value: unknown }[]
  failed: { call: QueuedCall; error: unknown }[]
  again: QueuedCall[]
  keys: string[]
}

/**
 * Group commit of pipeline calls on PostgreSQL. Calls that arrive together share one
 * transaction of two round trips: [BEGIN, `parley_read_calls`: the advisory locks of every call
 * in one sorted order, then the union of their snapshots], then, after each call's pure plan,
 * [`parley_write_group` with every call's writes, COMMIT]. Every call is answered only after that
 * COMMIT, so a 2xx still means durable, while one WAL flush serves the group. A read whose row
 * locks waited for another transaction is read again (see postgres-snapshot.ts).
 *
 * The calls are planned in arrival order on one snapshot that each plan's writes update
 * (`group-snapshot.ts`), so a call sees the writes of the calls before it in its group, and the
 * batches applied in that order write what the calls one after the other would have: a burst
 * about one account or one device commits together instead of queueing. A call that asks to read
 * more goes to the next group. A group that fails as a whole (a deadlock, a message another
 * instance claimed, a value one call carried that PostgreSQL refuses, a lock one call waited for
 * too long) is retried call by call, each alone with the engine's usual retries, so one call
 * never fails another; a fault of the connection fails them all with 503, as it would have one
 * by one.
 */
export class PostgresCallGroups {
  readonly #options: Required<CallGroupsOptions>
  readonly #waiting: QueuedCall[] = []
  readonly #pump: GroupPump

  constructor(options: CallGroupsOptions) {
    this.#options = { maxGroupSize: 64, maxGroupsInFlight: 2, overlapAt: 4, ...options }
    this.#pump = new GroupPump(
      this.#options.maxGroupsInFlight,
      () => this.#waiting.length,
      () => this.#runGroup(this.#take()),
      { overlapAt: this.#options.overlapAt },
    )
  }

  run<T>(request: CallRequest, plan: Planner<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#waiting.push({
        request,
        plan,
        resolve: resolve as (value: unknown) => void,
        reject,
        reads: 0,
        conflicts: 0,
        alone: false,
      })
      this.#pump.pump()
    })
  }

  /** The next group: one call that must run alone, or the waiting calls up to the limit. */
  #take(): QueuedCall[] {
    if (this.#waiting[0]?.alone === true) return this.#waiting.splice(0, 1)
    let end = 0
    while (
      end < this.#waiting.length &&
      end < this.#options.maxGroupSize &&
      this.#waiting[end]?.alone === false
    ) {
      end += 1
    }
    return this.#waiting.splice(0, end)
  }

  async #runGroup(calls: QueuedCall[]): Promise<void> {
    let outcome: GroupOutcome
    try {
      outcome = await this.#options.session((sql) => this.#attempt(sql, calls))
    } catch (error) {
      this.#groupFailed(calls, error)
      return
    }
    this.#options.committed(outcome.keys)
    // Back to the front, in arrival order: the next group reads them afresh.
    this.#waiting.unshift(...outcome.again)
    for (const { call, value } of outcome.answered) call.resolve(value)
    for (const { call, error } of outcome.failed) call.reject(error)
  }

  async #attempt(sql: Sql, calls: QueuedCall[]): Promise<GroupOutcome> {
    const outcome: GroupOutcome = { answered: [], failed: [], again: [], keys: [] }
    const locks = sortedAdvisoryKeys(
      this.#options.lockNamespace,
      calls.flatMap((call) => call.request.locks),
    )
    // One round trip: BEGIN and the read (locks, then snapshot) go out together (pipeline mode).
    const requests = calls.map((call) => call.request)
    const [, read] = await settled([
      sql.count('BEGIN', [], 'cached'),
      readGroupSnapshot(sql, locks, requests),
    ])
    let snapshot = decodeGroupSnapshot(read)
    // It waited for a row another transaction changed: read again, holding the rows now.
    for (let again = 1; snapshot.raced && again < maxReads; again += 1) {
      snapshot = decodeGroupSnapshot(await readGroupSnapshot(sql, [], requests))
    }
    if (snapshot.raced) throw new StoreConflictError('the rows kept changing under the group')
    const group = new GroupSnapshot(snapshot.state)

    // Plan the calls in order, each on the snapshot as the calls before it leave it.
    const writing: { call: QueuedCall; writes: WriteOp[]; result: unknown }[] = []
    for (const call of calls) {
      const snapshot = await group.callSnapshot(call.request)
      let planned: CallPlan<unknown>
      try {
        planned = call.plan(snapshot)
      } catch (error) {
        if (isRetryable(error)) this.#conflict(call, outcome, (error as Error).message)
        else outcome.failed.push({ call, error: toStoreError(error) })
        continue
      }
      call.reads += 1
      if (planned.kind === 'read-more') {
        this.#readMore(call, planned.accountKeys, outcome)
        continue
      }
      group.apply(planned.writes)
      if (planned.writes.length === 0) outcome.answered.push({ call, value: planned.result })
      else writing.push({ call, writes: planned.writes, result: planned.result })
    }

    // The second round trip: every write in one statement, and the COMMIT behind it.
    let moved: WriteOutcome['moved'] = {}
    let committed: boolean
    if (writing.length > 0) {
      const [rows, commit] = await settled([
        sql.rows(
          'SELECT parley_write_group($1::jsonb) AS outcome',
          [JSON.stringify(encodeGroupWrites(writing.map((entry) => entry.writes)))],
          'cached',
        ),
        sql.commit(),
      ])
      moved = (rows[0]?.outcome as WriteOutcome).moved
      committed = commit
    } else {
      committed = await sql.commit()
    }
    if (!committed) throw new Error('The group transaction was rolled back')

    const changed = new Set<string>()
    for (const { call, writes, result } of writing) {
      changedKeys(writes, moved, changed)
      outcome.answered.push({ call, value: result })
    }
    outcome.keys = [...changed]
    return outcome
  }

  /** The plan needs account keys its snapshot lacks: the call is read again, wider. */
  #readMore(call: QueuedCall, accountKeys: string[], outcome: GroupOutcome): void {
    if (call.reads >= maxReads) {
      const error = new StoreConflictError('the call kept needing more of the store read')
      outcome.failed.push({ call, error: toStoreError(error) })
      return
    }
    // In a new transaction: every lock again, the new keys' too.
    const wider = widen(call.request, accountKeys)
    call.request = { ...wider, locks: [...call.request.locks, ...wider.locks] }
    outcome.again.push(call)
  }

  /** A call that must be planned again on a fresh snapshot, or fail once it did so too often. */
  #conflict(call: QueuedCall, outcome: GroupOutcome, why: string): void {
    call.conflicts += 1
    if (call.conflicts >= this.#options.maxAttempts) {
      outcome.failed.push({ call, error: toStoreError(new StoreConflictError(why)) })
    } else {
      outcome.again.push(call)
    }
  }

  /** The whole group's transaction failed: nothing of it committed. */
  #groupFailed(calls: QueuedCall[], error: unknown): void {
    // The database is away: every call would wait its own timeout to learn the same. (A
    // statement cancelled after a long wait may be one call's lock: those go one by one.)
    if (isConnectionFault(error) && !(calls.length > 1 && isStatementTimeout(error))) {
      const failure = toStoreError(error)
      for (const call of calls) call.reject(failure)
      return
    }
    if (calls.length > 1) {
      for (const call of calls) call.alone = true
      this.#waiting.unshift(...calls)
      return
    }
    const [call] = calls
    if (call === undefined) return
    call.conflicts += 1
    if (!isRetryable(error) || call.conflicts >= this.#options.maxAttempts) {
      call.reject(toStoreError(error))
      return
    }
    // Jittered backoff, so the transactions that collided do not collide again in step; the
    // group's connection is free meanwhile.
    setTimeout(
      () => {
        this.#waiting.unshift(call)
        this.#pump.pump()
      },
      Math.random() * 10 * 2 ** call.conflicts,
    )
  }
}

/** Awaits every promise (statements in flight on one connection), then throws the first failure. */
async function settled<T extends readonly unknown[]>(promises: {
  [K in keyof T]: Promise<T[K]>
}): Promise<T> {
  const results = await Promise.allSettled(promises)
  for (const result of results) if (result.status === 'rejected') throw result.reason
  return results.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T
}
