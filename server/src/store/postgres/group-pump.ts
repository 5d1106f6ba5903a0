/**
 * Starts groups of queued work while fewer than `maxInFlight` run, each on the next turn of the
 * event loop: by then every request already read from the sockets has queued, which is what makes
 * groups bigger than one. The owner keeps the queue; the pump only decides when to start.
 */
export class GroupPump {
  readonly #maxInFlight: number
  readonly #waiting: () => boolean
  readonly #start: () => Promise<void>
  #running = 0
  #scheduled = false

  /**
   * `waiting`: whether anything is queued. `start`: takes the next group off the queue and runs
   * it; it must not reject.
   */
  constructor(maxInFlight: number, waiting: () => boolean, start: () => Promise<void>) {
    this.#maxInFlight = maxInFlight
    this.#waiting = waiting
    this.#start = start
  }

  /** Call after queueing work, and whenever work may have been queued again. */
  pump(): void {
    if (this.#scheduled || !this.#waiting()) return
    if (this.#running >= this.#maxInFlight) return
    this.#scheduled = true
    setImmediate(() => {
      this.#scheduled = false
      while (this.#waiting() && this.#running < this.#maxInFlight) {
        this.#running += 1
        void this.#start().finally(() => {
          this.#running -= 1
          this.pump()
        })
      }
    })
  }
}
