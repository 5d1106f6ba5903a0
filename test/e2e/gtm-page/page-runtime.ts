/** A tag as the page's stand-in for a GTM container fires it: the template's `data` per event. */
export interface PageTag {
  name: string
  /** The dataLayer `event` that fires the tag (`gtm.js` is pushed when the runtime starts). */
  trigger: string
  /** Field values; a string that is exactly `{{dlv:path}}` reads the data layer, keeping its type. */
  data: Record<string, unknown>
}

/** Everything the page runtime needs, serialisable to JSON. */
export interface PageRuntimeConfig {
  /** The template's sandboxed code, run as `function (require, data) { code }`. */
  code: string
  /** Source of `matchesUrlPattern`, so the page checks URLs exactly as the Node harness does. */
  matcherSource: string
  injectScriptUrls: string[]
  globals: Record<string, { read: boolean; write: boolean; execute: boolean }>
  consentRead: string[]
  /** Consent types denied when the page starts (unset types count as granted). */
  deniedConsent: string[]
  tags: PageTag[]
  /** The dataLayer event whose payload the page renders into `#personalised`. */
  renderEvent: string
}

/**
 * A thin GTM in the page: a `dataLayer` whose events fire tags that run the template's real code
 * against the real `window` and `document`. `injectScript` adds a real `<script>` element (once
 * per cache token), `createQueue` writes a real global, and every call is checked against the
 * template's declared permissions, as GTM does. Results go to `window.__gtm.results`.
 *
 * Self-contained on purpose (no imports, no outer variables): Playwright sends its source into
 * the page.
 */
export function installGtmRuntime(config: PageRuntimeConfig): void {
  type Fn = (...args: unknown[]) => unknown
  interface Element {
    src: string
    async: boolean
    textContent: string
    onload: (() => void) | null
    onerror: (() => void) | null
  }
  interface Page {
    document: {
      createElement: (tag: string) => Element
      head: { appendChild: (node: Element) => void }
      querySelector: (selector: string) => Element | null
    }
    console: { log: Fn }
    dataLayer?: Record<string, unknown>[]
    __gtm?: unknown
  }
  const page = globalThis as unknown as Page & Record<string, unknown>
  // GTM compiles template code in the page too; these sources are the repo's own files.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const matches = new Function('return (' + config.matcherSource + ')')() as (
    pattern: string,
    url: string,
  ) => boolean
  const results: { tag: string; event: string; outcome: string; error?: string }[] = []
  const denied: Record<string, boolean> = {}
  config.deniedConsent.forEach((type) => (denied[type] = true))
  const listeners: { type: string; fn: Fn }[] = []
  const scripts: Record<string, { state: string; done: Fn[]; failed: Fn[] }> = {}

  const refuse = (message: string): never => {
    throw new Error('permission denied: ' + message)
  }
  const needGlobal = (key: string, modes: ('read' | 'write' | 'execute')[]) => {
    const access = config.globals[key]
    modes.forEach((mode) => {
      if (access?.[mode] !== true) refuse('access_globals ' + mode + ' ' + key)
    })
  }
  const needConsent = (type: string) => {
    if (config.consentRead.indexOf(type) === -1) refuse('access_consent read ' + type)
  }
  const readPath = (root: unknown, path: string): unknown =>
    path.split('.').reduce<unknown>((value, part) => {
      return typeof value === 'object' && value !== null
        ? (value as Record<string, unknown>)[part]
        : undefined
    }, root)
  const getType = (value: unknown): string =>
    value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value

  const apis: Record<string, unknown> = {
    injectScript: (url: string, onSuccess: Fn, onFailure: Fn, cacheToken?: string) => {
      if (!config.injectScriptUrls.some((pattern) => matches(pattern, url))) {
        refuse('inject_script ' + url)
      }
      const token = cacheToken ?? url + Math.random()
      let entry = scripts[token]
      if (entry === undefined) {
        const created = { state: 'loading', done: [] as Fn[], failed: [] as Fn[] }
        entry = created
        scripts[token] = created
        const script = page.document.createElement('script')
        script.src = url
        script.async = true
        script.onload = () => {
          created.state = 'loaded'
          created.done.forEach((fn) => fn())
        }
        script.onerror = () => {
          created.state = 'failed'
          created.failed.forEach((fn) => fn())
        }
        page.document.head.appendChild(script)
      }
      if (entry.state === 'loaded') onSuccess()
      else if (entry.state === 'failed') onFailure()
      else {
        entry.done.push(onSuccess)
        entry.failed.push(onFailure)
      }
    },
    createQueue: (key: string) => {
      needGlobal(key, ['read', 'write'])
      if (!Array.isArray(page[key])) page[key] = []
      return (value: unknown) => (page[key] as { push: Fn }).push(value)
    },
    copyFromWindow: (key: string) => {
      needGlobal(key, ['read'])
      return readPath(page, key)
    },
    isConsentGranted: (type: string) => {
      needConsent(type)
      return denied[type] !== true
    },
    addConsentListener: (type: string, fn: Fn) => {
      needConsent(type)
      listeners.push({ type, fn })
    },
    logToConsole: (...args: unknown[]) => page.console.log(...args),
    getType,
    makeString: (value: unknown) => String(value),
    makeTableMap: (rows: unknown, keyColumn: string, valueColumn: string) => {
      if (!Array.isArray(rows) || rows.length === 0) return null
      const map: Record<string, unknown> = {}
      ;(rows as Record<string, unknown>[]).forEach((row) => {
        map[String(row[keyColumn])] = row[valueColumn]
      })
      return map
    },
    Object: { keys: Object.keys, values: Object.values, entries: Object.entries },
  }
  const sandboxRequire = (name: string): unknown => {
    if (!(name in apis)) throw new Error('the page runtime has no ' + name)
    return apis[name]
  }
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const template = new Function('require', 'data', config.code) as Fn

  const model: Record<string, unknown> = {}
  const resolve = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const dlv = /^\{\{dlv:(.+)\}\}$/.exec(value)
      return dlv === null ? value : readPath(model, dlv[1] ?? '')
    }
    if (Array.isArray(value)) return value.map(resolve)
    if (typeof value === 'object' && value !== null) {
      const copy: Record<string, unknown> = {}
      Object.keys(value).forEach((key) => {
        copy[key] = resolve((value as Record<string, unknown>)[key])
      })
      return copy
    }
    return value
  }
  const fire = (event: string, payload: Record<string, unknown>) => {
    if (event === config.renderEvent) {
      const target = page.document.querySelector('#personalised')
      if (target !== null) target.textContent = JSON.stringify(payload)
    }
    config.tags
      .filter((tag) => tag.trigger === event)
      .forEach((tag) => {
        const data = resolve(tag.data) as Record<string, unknown>
        const finish = (outcome: string) => () => {
          results.push({ tag: tag.name, event, outcome })
        }
        data.gtmOnSuccess = finish('success')
        data.gtmOnFailure = finish('failure')
        try {
          template(sandboxRequire, data)
        } catch (error) {
          results.push({ tag: tag.name, event, outcome: 'exception', error: String(error) })
        }
      })
  }

  const dataLayer = (page.dataLayer = page.dataLayer ?? [])
  const originalPush = dataLayer.push.bind(dataLayer)
  const handle = (message: Record<string, unknown>) => {
    Object.keys(message).forEach((key) => {
      if (key !== 'event') model[key] = message[key]
    })
    if (typeof message.event === 'string') fire(message.event, message)
  }
  dataLayer.slice().forEach(handle)
  dataLayer.push = (...messages: Record<string, unknown>[]) => {
    const length = originalPush(...messages)
    messages.forEach(handle)
    return length
  }
  page.__gtm = {
    results,
    setConsent: (type: string, granted: boolean) => {
      denied[type] = !granted
      listeners.filter((l) => l.type === type).forEach((l) => l.fn(type, granted))
    },
  }
  dataLayer.push({ event: 'gtm.js' })
}
