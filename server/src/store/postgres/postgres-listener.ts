import pg from 'pg'
import type { ChangeFeed } from '../change-feed.ts'

/** Settings of the connection that LISTENs for other instances' changes. */
export interface ChangeListenerOptions {
  client: pg.ClientConfig
  channel: string
  /** Notifications this process sent itself are skipped: it already published them locally. */
  instanceId: string
  feed: ChangeFeed
  /** How often the idle connection is checked, so a silently dead network is noticed. */
  heartbeatMs: number
  onError: (error: unknown) => void
}

/** What a notification carries: who committed, and the change keys. */
export interface ChangeNotice {
  from: string
  keys: string[]
}

/**
 * One dedicated connection that LISTENs on the store's channel and republishes other instances'
 * commits on the local feed. When the connection fails it reconnects by itself, with backoff, and
 * then publishes a `reset`: notifications sent while it was away are lost, so caches start over.
 */
export class PostgresChangeListener {
  readonly #options: ChangeListenerOptions
  #client: pg.Client | undefined
  #connected = false
  #stopped = false
  #retryDelayMs = 250
  #timer: NodeJS.Timeout | undefined

  constructor(options: ChangeListenerOptions) {
    this.#options = options
  }

  /** True while the LISTEN connection is up; readiness depends on it. */
  get connected(): boolean {
    return this.#connected
  }

  /** Connects and listens; rejects when the database cannot be reached now. */
  async start(): Promise<void> {
    await this.#connect()
  }

  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    this.#connected = false
    await this.#client?.end().catch(() => undefined)
  }

  async #connect(): Promise<void> {
    const client = new pg.Client(this.#options.client)
    client.on('error', (error) => this.#lost(client, error))
    client.on('end', () => this.#lost(client, new Error('LISTEN connection ended')))
    client.on('notification', (message) => this.#receive(message.payload))
    try {
      await client.connect()
      await client.query(`LISTEN "${this.#options.channel}"`)
    } catch (error) {
      await client.end().catch(() => undefined)
      throw error
    }
    if (this.#stopped) {
      await client.end().catch(() => undefined)
      return
    }
    // Only now does a fault of this client count as "lost"; a failed attempt just retries.
    this.#client = client
    this.#connected = true
    this.#retryDelayMs = 250
    this.#scheduleHeartbeat(client)
  }

  #receive(payload: string | undefined): void {
    let notice: ChangeNotice
    try {
      notice = JSON.parse(payload ?? '') as ChangeNotice
    } catch (error) {
      this.#options.onError(error)
      return
    }
    if (notice.from === this.#options.instanceId) return
    this.#options.feed.emit({ kind: 'changed', origin: 'remote', keys: notice.keys })
  }

  #scheduleHeartbeat(client: pg.Client): void {
    this.#timer = setTimeout(() => {
      client.query('SELECT 1').then(
        () => this.#scheduleHeartbeat(client),
        (error: unknown) => this.#lost(client, error),
      )
    }, this.#options.heartbeatMs)
    this.#timer.unref()
  }

  #lost(client: pg.Client, error: unknown): void {
    if (client !== this.#client || this.#stopped) return
    this.#client = undefined
    this.#connected = false
    clearTimeout(this.#timer)
    this.#options.onError(error)
    client.removeAllListeners('notification')
    client.on('error', () => undefined)
    void client.end().catch(() => undefined)
    this.#retry()
  }

  #retry(): void {
    if (this.#stopped) return
    this.#timer = setTimeout(() => {
      this.#connect().then(
        () => this.#options.feed.emit({ kind: 'reset', reason: 'change listener reconnected' }),
        (error: unknown) => {
          this.#options.onError(error)
          this.#retryDelayMs = Math.min(this.#retryDelayMs * 2, 5_000)
          this.#retry()
        },
      )
    }, this.#retryDelayMs)
    this.#timer.unref()
  }
}
