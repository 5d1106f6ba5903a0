/** When the pump may start a group: now, once more work waits or time passes, or not yet. */
type Start = 'now' | 'later' | 'no'

/**
 * Starts groups of queued work while fewer than `maxInFlight` run, each on the next turn of the
 * event loop: by then every request already read from the sockets has queued, which is what makes
 * groups bigger than one. The owner keeps the queue; the pump only decides when to start.
 */
export class GroupPump {
  readonly #maxInFlight: number
  readonly #overlapAt: number
  readonly #overlapAfterMs: number
  readonly #queued: () => number
  readonly #start: () => Promise<void>
  #running = 0
  #scheduled = false
  /** Armed only while a group runs and too little waits; any group that starts disarms it. */
  #overlapTimer: NodeJS.Timeout | undefined
  /** The armed timer fired: the waiting work starts on the next pump, however little it is. */
  #overdue = false

  /**
   * `queued`: how much work is queued. `start`: takes the next group off the queue and runs it;
   * it must not reject. `overlapAt`: the least queued work that starts a group while another
   * runs; with less, it joins the next group once the running one ends, so a busy instance does
   * not spend a transaction on a handful of calls. A group with none running always starts at
   * once, and work that waited `overlapAfterMs` starts anyway, so a group stuck on a lock holds
   * up nothing for longer. Defaults: 1 (start whenever anything waits), 20 ms.
   */
  constructor(
    maxInFlight: number,
    queued: () => number,
    start: () => Promise<void>,
    options: { overlapAt?: number; overlapAfterMs?: number } = {},
  ) {
    this.#maxInFlight = maxInFlight
    this.#queued = queued
    this.#start = start
    this.#overlapAt = Math.max(1, options.overlapAt ?? 1)
    this.#overlapAfterMs = options.overlapAfterMs ?? 20
  }

  /** Call after queueing work, and whenever work may have been queued again. */
  pump(): void {
    if (this.#scheduled) return
    const start = this.#mayStart()
    if (start === 'later') this.#armOverlap()
    if (start !== 'now') return
    this.#scheduled = true
    setImmediate(() => {
      this.#scheduled = false
      while (this.#mayStart() === 'now') {
        this.#running += 1
        this.#overdue = false
        clearTimeout(this.#overlapTimer)
        this.#overlapTimer = undefined
        void this.#start().finally(() => {
          this.#running -= 1
          this.pump()
        })
      }
      if (this.#mayStart() === 'later') this.#armOverlap()
    })
  }

  #mayStart(): Start {
    if (this.#running >= this.#maxInFlight || this.#queued() === 0) return 'no'
    if (this.#running === 0 || this.#overdue || this.#queued() >= this.#overlapAt) return 'now'
    return 'later'
  }

  /** Starts the waiting work after `overlapAfterMs` if nothing started it before. */
  #armOverlap(): void {
    if (this.#overlapTimer !== undefined) return
    this.#overlapTimer = setTimeout(() => {
      this.#overlapTimer = undefined
      this.#overdue = true
      this.pump()
    }, this.#overlapAfterMs)
    this.#overlapTimer.unref()
  }
}
