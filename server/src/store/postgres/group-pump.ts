/**
 * Starts groups of queued work while fewer than `maxInFlight` run, each on the next turn of the
 * event loop: by then every request already read from the sockets has queued, which is what makes
 * groups bigger than one. The owner keeps the queue; the pump only decides when to start.
 */
export class GroupPump {
  readonly #maxInFlight: number
  readonly #overlapAt: number
  readonly #queued: () => number
  readonly #start: () => Promise<void>
  #running = 0
  #scheduled = false

  /**
   * `queued`: how much work is queued. `start`: takes the next group off the queue and runs it;
   * it must not reject. `overlapAt`: the least queued work that starts a group while another
   * runs; with less, it waits for the running group to end and joins the next one, so a busy
   * instance does not spend a transaction on a handful of calls. A group with none running
   * always starts at once. Default: 1.
   */
  constructor(
    maxInFlight: number,
    queued: () => number,
    start: () => Promise<void>,
    overlapAt = 1,
  ) {
    this.#maxInFlight = maxInFlight
    this.#queued = queued
    this.#start = start
    this.#overlapAt = Math.max(1, overlapAt)
  }

  /** Call after queueing work, and whenever work may have been queued again. */
  pump(): void {
    if (this.#scheduled || !this.#mayStart()) return
    this.#scheduled = true
    setImmediate(() => {
      this.#scheduled = false
      while (this.#mayStart()) {
        this.#running += 1
        void this.#start().finally(() => {
          this.#running -= 1
          this.pump()
        })
      }
    })
  }

  #mayStart(): boolean {
    if (this.#running >= this.#maxInFlight) return false
    return this.#queued() >= (this.#running === 0 ? 1 : this.#overlapAt)
  }
}
