/**
 * In-process locks by name: `run(keys, task)` starts `task` once every earlier task holding any
 * of `keys` has settled, so calls that touch the same identities run one after another while
 * the rest run side by side. All keys of a task are claimed in one synchronous step, so two
 * tasks can never wait on each other (no lock-order deadlock). Names are dropped once free, so
 * memory follows the calls in flight, not every key ever seen.
 */
export class KeyLocks {
  readonly #tails = new Map<string, Promise<void>>()

  async run<T>(keys: readonly string[], task: () => Promise<T>): Promise<T> {
    const names = [...new Set(keys)]
    const before: Promise<void>[] = []
    for (const name of names) {
      const tail = this.#tails.get(name)
      if (tail !== undefined) before.push(tail)
    }
    let release = (): void => undefined
    const done = new Promise<void>((resolve) => {
      release = resolve
    })
    for (const name of names) this.#tails.set(name, done)
    try {
      await Promise.all(before)
      return await task()
    } finally {
      release()
      for (const name of names) if (this.#tails.get(name) === done) this.#tails.delete(name)
    }
  }

  /** How many names are held or waited for (for tests and metrics). */
  get size(): number {
    return this.#tails.size
  }
}
