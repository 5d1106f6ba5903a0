/**
 * Read sessions on one read-only connection of the event loop's thread, answered at once. The
 * sessions that overlap (they await each other's statements between microtasks) share one
 * read transaction, so each sees one consistent committed state; the transaction ends when the
 * last of them does. Once a write is known to have committed (`committed()`), a new session
 * does not join the open transaction, which may predate it: it waits for that transaction to
 * end and opens a fresh one, so a read that follows a write always sees it.
 */
export class ReadSessions {
  readonly #begin: () => void
  readonly #end: () => void
  #open = 0
  #joinable = false
  readonly #waiting: (() => void)[] = []

  /** `begin` and `end` open and close the connection's read transaction. */
  constructor(begin: () => void, end: () => void) {
    this.#begin = begin
    this.#end = end
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    while (this.#open > 0 && !this.#joinable) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve))
    }
    if (this.#open === 0) {
      this.#begin()
      this.#joinable = true
    }
    this.#open += 1
    try {
      return await fn()
    } finally {
      this.#open -= 1
      if (this.#open === 0) {
        this.#end()
        for (const wake of this.#waiting.splice(0)) wake()
      }
    }
  }

  /** A write committed: sessions that start from now on must see it. */
  committed(): void {
    this.#joinable = false
  }
}
