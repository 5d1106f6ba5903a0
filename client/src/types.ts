/** Options a page may set before the loader or client runs, as `window.parleySettings`. */
export interface ParleySettings {
  /** URL of the client script. Default: next to the loader, else `/parley/client.js`. */
  src?: string
  /** `false` holds every storage write and network call until `consent({personalization: true})`. Default: true. */
  personalization?: boolean
  /** Hide `[data-parley-slot]` elements until the payload arrives: `true` (1 s) or a timeout in ms. Default: off. */
  antiFlicker?: boolean | number
  /** Log dropped calls, 4xx answers and warnings to the console. Default: false. */
  debug?: boolean
  /** Send a page view when the client loads (unless the queue already holds one). Default: true. */
  autoPage?: boolean
}

/** One queued call: `[method, ...args]`, plain data so GTM's sandbox can push it. */
export type QueueEntry = unknown[] & {
  /** Set by the loader stub on `identify` so its Promise settles once the client has run it. */
  deferred?: [resolve: (value: unknown) => void, reject: (reason: unknown) => void]
}

/** One personalised experience, as the container sends it. */
export interface Experience {
  id: string
  variation: string
  control: boolean
  content: Record<string, string>
}

/** The container's answer to a browser call. `segments`/`experiences` come with personalisation. */
export interface Payload {
  anonymousId?: string
  userId?: string | null
  rotated?: true
  warnings?: { code: string; message: string; path?: string }[]
  segments?: string[]
  experiences?: Experience[]
}

/** Options of `identify`. */
export interface IdentifyOptions {
  /** `hex(HMAC-SHA256(secret, userId))` computed by the site's backend (identity verification). */
  userHash?: string
}

/** `window.parley.client`: the same methods on the loader stub and on the loaded client. */
export interface ParleyClient {
  identify(
    userId: string | number | null | undefined,
    traits?: Record<string, unknown>,
    options?: IdentifyOptions,
  ): Promise<Payload>
  page(properties?: Record<string, unknown>): void
  track(event: string, properties?: Record<string, unknown>): void
  group(companyId: string | number, traits?: Record<string, unknown>): void
  reset(): void
  ready(callback: (client: ParleyClient) => void): void
  consent(choice: { personalization: boolean }): void
  /** Set on the loaded client only; the stub has none. */
  version?: string
}

declare global {
  interface Window {
    parley?: { client?: ParleyClient }
    _parleyq?: QueueEntry[]
    parleySettings?: ParleySettings
    dataLayer?: unknown[]
  }
}
