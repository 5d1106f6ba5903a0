import type pg from 'pg'

/**
 * The COMMITs of read-only transactions whose reads are done, held back to leave with the
 * connection's next statement. A read's answer never waits for its COMMIT; sent on its own, that
 * COMMIT would still cost a socket write here and a wake-up of the PostgreSQL backend, which the
 * CPU profile of the admin lookup showed as the largest single item. Held back, it shares the
 * next session's write (pipeline mode keeps the order: COMMIT, then BEGIN and the first read).
 *
 * A connection nobody takes within `idleMs` sends its COMMIT on its own then, so a snapshot is
 * never held open for long (it would hold back vacuum). Only read-only transactions are held: a
 * write's COMMIT is what makes it durable, and is always awaited.
 */
export class DeferredCommits {
  readonly #idleMs: number
  readonly #open = new Map<pg.ClientBase, NodeJS.Timeout>()

  /** `idleMs`: longest a finished read's transaction stays open. Default: 20 ms. */
  constructor(idleMs = 20) {
    this.#idleMs = idleMs
  }

  /** Leaves `client`'s finished read-only transaction open until its next statement. */
  defer(client: pg.ClientBase): void {
    // Nothing is owed here (a session settles before its first statement); a stray timer must
    // still not outlive its entry.
    clearTimeout(this.#open.get(client))
    const timer = setTimeout(() => this.settle(client), this.#idleMs)
    timer.unref()
    this.#open.set(client, timer)
  }

  /** Sends the COMMIT `client` owes, if any, ahead of whatever it sends next. */
  settle(client: pg.ClientBase): void {
    const timer = this.#open.get(client)
    if (timer === undefined) return
    clearTimeout(timer)
    this.#open.delete(client)
    // Of a read-only transaction it cannot fail but with the connection, and then the statement
    // behind it fails too and reports that; an idle connection's fault goes to the pool.
    client.query('COMMIT').catch(() => undefined)
  }

  /** Forgets every held COMMIT (the pool is closing, and the transactions end with it). */
  clear(): void {
    for (const timer of this.#open.values()) clearTimeout(timer)
    this.#open.clear()
  }
}
