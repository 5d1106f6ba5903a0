/** Runs async tasks one at a time, in the order they asked. */
export class Mutex {
  #tail: Promise<unknown> = Promise.resolve()

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task)
    // The next task waits for this one to settle, whether it failed or not.
    this.#tail = result.catch(() => undefined)
    return result
  }
}
