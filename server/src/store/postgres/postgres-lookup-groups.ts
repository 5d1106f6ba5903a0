import type { ProfileKey, ProfileNeighbourhood } from '../store.ts'
import { toStoreError } from './postgres-errors.ts'
import type { Sql } from './postgres-queries.ts'
import { decodeNeighbourhood } from './postgres-read-session.ts'
import { GroupPump } from './group-pump.ts'

/** Runs `work` on one pooled connection of the engine. */
type Session = <T>(work: (sql: Sql) => Promise<T>) => Promise<T>

/** Most lookups in one statement. */
const maxGroupSize = 64
/** Statements in flight at once, each on a connection of its own. */
const maxGroupsInFlight = 2

/**
 * One statement for a whole group: the neighbourhood of every key, in the keys' order. It runs
 * outside any transaction, and is still one consistent view: the neighbourhood function is
 * STABLE, and a STABLE function's queries run on the snapshot of the statement that calls it.
 */
const groupSql =
  'SELECT coalesce(json_agg(parley_profile_neighbourhood(k.user_id, k.device) ORDER BY k.n), ' +
  "'[]') AS found FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(user_id, device, n)"

interface QueuedLookup {
  key: ProfileKey
  resolve: (found: ProfileNeighbourhood | undefined) => void
  reject: (error: unknown) => void
}

/**
 * Admin lookups (`Store.readNeighbourhood`) on PostgreSQL, grouped as pipeline calls are: the
 * lookups that arrive together share one statement, so a burst of them costs one socket write,
 * one wake-up of a backend and one execution instead of one each. The CPU profile of lookups one
 * by one put the PostgreSQL write and the backend's work per statement first.
 *
 * No key can fail the statement for the others: every key is a text parameter, and the one text
 * PostgreSQL refuses (a NUL) is answered here. So the statement fails only as each lookup alone
 * would (the database away, a timeout), and then fails every lookup in it.
 */
export class PostgresLookupGroups {
  readonly #session: Session
  readonly #waiting: QueuedLookup[] = []
  readonly #pump: GroupPump

  constructor(session: Session) {
    this.#session = session
    this.#pump = new GroupPump(
      maxGroupsInFlight,
      () => this.#waiting.length,
      () => this.#runGroup(this.#take()),
    )
  }

  run(key: ProfileKey): Promise<ProfileNeighbourhood | undefined> {
    // PostgreSQL's text holds no NUL, so no stored key has one; sent, it would fail the
    // statement of every lookup in the group.
    if (key.value.includes('\u0000')) return Promise.resolve(undefined)
    return new Promise((resolve, reject) => {
      this.#waiting.push({ key, resolve, reject })
      this.#pump.pump()
    })
  }

  /** The next group: the waiting lookups, oldest first, up to the limit. */
  #take(): QueuedLookup[] {
    return this.#waiting.splice(0, maxGroupSize)
  }

  async #runGroup(lookups: QueuedLookup[]): Promise<void> {
    let found: unknown[]
    try {
      const [row] = await this.#session((sql) =>
        sql.rows(
          groupSql,
          [
            lookups.map(({ key }) => (key.kind === 'userId' ? key.value : null)),
            lookups.map(({ key }) => (key.kind === 'anonymousId' ? key.value : null)),
          ],
          'cached',
        ),
      )
      found = row?.found as unknown[]
    } catch (error) {
      const failure = toStoreError(error)
      for (const lookup of lookups) lookup.reject(failure)
      return
    }
    // Each answer decoded on its own: a row that fails to decode fails its lookup only, and
    // never the pump (a rejection here would go unheard).
    for (const [n, lookup] of lookups.entries()) {
      try {
        lookup.resolve(toNeighbourhood(found[n]))
      } catch (error) {
        lookup.reject(toStoreError(error))
      }
    }
  }
}

function toNeighbourhood(answer: unknown): ProfileNeighbourhood | undefined {
  const found = decodeNeighbourhood(answer)
  if (found?.profile === undefined) return undefined
  const { profile, anonymousIds, mergeLog, account } = found
  return { profile, anonymousIds, mergeLog, account, accountKeys: account ? found.accountKeys : [] }
}
