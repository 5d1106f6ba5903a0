import { z } from 'zod'
import {
  enrichmentConfig,
  enrichmentEnvIssues,
  enrichmentEnvShape,
  type EnrichmentConfig,
} from '../enrichment/enrichment-config.ts'
import { normalizeAllowedOrigin } from './allowed-origins.ts'

const list = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== ''),
)

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
    HOST: z.string().min(1).default('0.0.0.0'),
    PARLEY_DATABASE_URL: z
      .string()
      .regex(/^(sqlite:|postgres(ql)?:\/\/)/, 'expected sqlite:<file> or postgres://…')
      .default('sqlite:./data/parley.db'),
    PARLEY_SQLITE_SYNCHRONOUS: z.enum(['FULL', 'NORMAL']).default('FULL'),
    PARLEY_SQLITE_NATIVE_BINDING: z.string().min(1).optional(),
    PARLEY_PG_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(10),
    PARLEY_PG_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5_000),
    PARLEY_PG_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
    PARLEY_WRITE_KEYS: list.optional(),
    PARLEY_BROWSER_WRITE_KEYS: list.optional(),
    PARLEY_ADMIN_TOKEN: z.string().min(16, 'expected at least 16 characters').optional(),
    PARLEY_COOKIE_SECRET: list
      .pipe(z.array(z.string().min(32, 'each secret needs at least 32 characters')).min(1))
      .optional(),
    // A host name, optionally with a leading dot: it goes into every Set-Cookie header as is.
    PARLEY_COOKIE_DOMAIN: z
      .string()
      .regex(
        /^\.?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i,
        'expected a domain like example.com or .example.com',
      )
      .optional(),
    PARLEY_IDENTITY_SECRET: z.string().min(16, 'expected at least 16 characters').optional(),
    PARLEY_IDENTITY_VERIFICATION: z.enum(['off', 'optional', 'required']).optional(),
    PARLEY_TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
    PARLEY_DEDUP_WINDOW_HOURS: z.coerce.number().positive().default(168),
    PARLEY_ALLOWED_ORIGINS: list
      .pipe(
        z.array(
          z.string().transform((entry, ctx) => {
            const origin = normalizeAllowedOrigin(entry)
            if (origin === undefined) {
              ctx.addIssue({
                code: 'custom',
                message: `${JSON.stringify(entry)} is not an origin like https://www.example.com, https://*.example.com or *`,
              })
              return z.NEVER
            }
            return origin
          }),
        ),
      )
      .optional(),
    PARLEY_RATE_LIMIT_IP_PER_MINUTE: z.coerce.number().int().min(0).default(600),
    PARLEY_RATE_LIMIT_VISITOR_PER_MINUTE: z.coerce.number().int().min(0).default(120),
    PARLEY_SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().positive().max(600).default(10),
    PARLEY_METRICS_TOKEN: z.string().min(16, 'expected at least 16 characters').optional(),
    PARLEY_CONFIG: z.string().min(1).default('config/parley.demo.yaml'),
    PARLEY_CONFIG_SOURCE: z
      .enum(['store', 'file'], { error: 'expected store or file' })
      .default('store'),
    PARLEY_CACHE_BYTES: z.coerce
      .number()
      .int()
      .min(0)
      .default(64 * 1024 * 1024),
    PARLEY_LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    ...enrichmentEnvShape,
    PARLEY_LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  })
  .superRefine((env, ctx) => {
    for (const [name, message] of enrichmentEnvIssues(env)) {
      ctx.addIssue({ code: 'custom', path: [name], message })
    }
    if (
      env.PARLEY_IDENTITY_VERIFICATION !== undefined &&
      env.PARLEY_IDENTITY_VERIFICATION !== 'off'
    ) {
      if (env.PARLEY_IDENTITY_SECRET === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['PARLEY_IDENTITY_SECRET'],
          message: `is required when PARLEY_IDENTITY_VERIFICATION is ${env.PARLEY_IDENTITY_VERIFICATION}`,
        })
      }
    }
    const serverKeys = new Set(env.PARLEY_WRITE_KEYS ?? [])
    for (const key of env.PARLEY_BROWSER_WRITE_KEYS ?? []) {
      if (serverKeys.has(key)) {
        ctx.addIssue({
          code: 'custom',
          path: ['PARLEY_BROWSER_WRITE_KEYS'],
          message: 'a key may not be both a server and a browser write key',
        })
      }
    }
    if (env.NODE_ENV === 'production') {
      for (const name of [
        'PARLEY_COOKIE_SECRET',
        'PARLEY_ADMIN_TOKEN',
        'PARLEY_WRITE_KEYS',
      ] as const) {
        if (env[name] === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: 'is required when NODE_ENV=production',
          })
        }
      }
    }
  })

/** Demo credentials used outside production when none are set; the start log says so. */
export const demoCredentials = {
  writeKey: 'demo-write-key',
  browserWriteKey: 'demo-browser-key',
  adminToken: 'demo-admin-token-change-me',
  cookieSecret: 'demo-cookie-secret-do-not-use-in-production',
} as const

/** The container's settings, read once from the environment at start. */
export interface Config {
  env: 'development' | 'production' | 'test'
  port: number
  host: string
  databaseUrl: string
  sqliteSynchronous: 'FULL' | 'NORMAL'
  /** A better-sqlite3 addon (`.node`) built for this runtime; default: the installed one. */
  sqliteNativeBinding: string | undefined
  /** PostgreSQL engine: connections per instance and how long to wait before answering 503. */
  postgres: { poolSize: number; connectTimeoutMs: number; statementTimeoutMs: number }
  /** Server write keys accepted by the Segment-compatible API: trusted backends. */
  writeKeys: string[]
  /**
   * Browser write keys (`PARLEY_BROWSER_WRITE_KEYS`): public, they sit in pages, so their calls
   * are browser traffic with every guard of `/v1/web/*`. Default: none in production,
   * `demo-browser-key` elsewhere (reported as a demo default).
   */
  browserWriteKeys: string[]
  adminToken: string
  /** The first secret signs the anonymous-id cookie; all of them verify it (rotation). */
  cookieSecrets: string[]
  cookieDomain: string | undefined
  identitySecret: string | undefined
  /** `required`: browser identify needs the user hash; `optional`: checked when given. */
  identityVerification: 'off' | 'optional' | 'required'
  /** How many proxy hops in front of the container to trust for the client address and scheme. */
  trustProxy: number
  dedupWindowMs: number
  /**
   * Origins the browser endpoints answer besides their own (normalised; `*` = any). Default:
   * none in production, `*` elsewhere (reported as a demo default).
   */
  allowedOrigins: string[]
  /** Browser calls per client IP per minute; 0 turns the limit off. Default: 600. */
  rateLimitIpPerMinute: number
  /** Browser calls per anonymous id per minute; 0 turns the limit off. Default: 120. */
  rateLimitVisitorPerMinute: number
  /** Longest wait for in-flight requests after SIGTERM before exiting anyway. Default: 10 s. */
  shutdownTimeoutMs: number
  /** Bearer token for `/metrics`; when unset the admin token opens it. */
  metricsToken: string | undefined
  logLevel: string
  /** `json`, `pretty`, or `auto` (pretty on a terminal outside production). Default: `auto`. */
  logFormat: 'auto' | 'json' | 'pretty'
  /** The personalisation file (YAML or JSON). Default: `config/parley.demo.yaml`. */
  personalizationFile: string
  /**
   * Where the config in force comes from: `store` (versions edited in the console, live on every
   * instance; the file seeds an empty store) or `file` (pinned to the file, polled; the console
   * shows it read-only). Default: `store`.
   */
  configSource: 'store' | 'file'
  /** Bytes the per-process profile cache may hold; 0 turns it off. Default: 64 MiB. */
  cacheBytes: number
  /** Names of settings that fell back to demo values. */
  demoDefaults: string[]
  /** Country, network and company from the request's address; `undefined` = off (default). */
  enrichment: EnrichmentConfig | undefined
}

/** Thrown when the environment is invalid; its message names every bad variable. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

/**
 * Parses the environment. Throws a `ConfigError` naming each bad variable, so a typo stops the
 * start instead of running with a surprise.
 */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const result = envSchema.safeParse(env)
  if (!result.success) {
    const lines = result.error.issues.map(
      (issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`,
    )
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`)
  }
  const parsed = result.data
  const demoDefaults: string[] = []
  const orDemo = <T>(value: T | undefined, name: string, demo: T): T => {
    if (value !== undefined) return value
    demoDefaults.push(name)
    return demo
  }
  return {
    env: parsed.NODE_ENV,
    port: parsed.PORT,
    host: parsed.HOST,
    databaseUrl: parsed.PARLEY_DATABASE_URL,
    sqliteSynchronous: parsed.PARLEY_SQLITE_SYNCHRONOUS,
    sqliteNativeBinding: parsed.PARLEY_SQLITE_NATIVE_BINDING,
    postgres: {
      poolSize: parsed.PARLEY_PG_POOL_SIZE,
      connectTimeoutMs: parsed.PARLEY_PG_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: parsed.PARLEY_PG_STATEMENT_TIMEOUT_MS,
    },
    writeKeys: orDemo(parsed.PARLEY_WRITE_KEYS, 'PARLEY_WRITE_KEYS', [demoCredentials.writeKey]),
    browserWriteKeys:
      parsed.PARLEY_BROWSER_WRITE_KEYS ??
      (parsed.NODE_ENV === 'production'
        ? []
        : orDemo(undefined, 'PARLEY_BROWSER_WRITE_KEYS', [demoCredentials.browserWriteKey])),
    adminToken: orDemo(parsed.PARLEY_ADMIN_TOKEN, 'PARLEY_ADMIN_TOKEN', demoCredentials.adminToken),
    cookieSecrets: orDemo(parsed.PARLEY_COOKIE_SECRET, 'PARLEY_COOKIE_SECRET', [
      demoCredentials.cookieSecret,
    ]),
    cookieDomain: parsed.PARLEY_COOKIE_DOMAIN,
    identitySecret: parsed.PARLEY_IDENTITY_SECRET,
    identityVerification:
      parsed.PARLEY_IDENTITY_VERIFICATION ??
      (parsed.PARLEY_IDENTITY_SECRET === undefined ? 'off' : 'required'),
    trustProxy: parsed.PARLEY_TRUST_PROXY,
    dedupWindowMs: parsed.PARLEY_DEDUP_WINDOW_HOURS * 3_600_000,
    allowedOrigins:
      parsed.PARLEY_ALLOWED_ORIGINS ??
      (parsed.NODE_ENV === 'production' ? [] : orDemo(undefined, 'PARLEY_ALLOWED_ORIGINS', ['*'])),
    rateLimitIpPerMinute: parsed.PARLEY_RATE_LIMIT_IP_PER_MINUTE,
    rateLimitVisitorPerMinute: parsed.PARLEY_RATE_LIMIT_VISITOR_PER_MINUTE,
    metricsToken: parsed.PARLEY_METRICS_TOKEN,
    shutdownTimeoutMs: parsed.PARLEY_SHUTDOWN_TIMEOUT_SECONDS * 1000,
    logLevel: parsed.PARLEY_LOG_LEVEL,
    logFormat: parsed.PARLEY_LOG_FORMAT,
    personalizationFile: parsed.PARLEY_CONFIG,
    configSource: parsed.PARLEY_CONFIG_SOURCE,
    cacheBytes: parsed.PARLEY_CACHE_BYTES,
    demoDefaults,
    // The demo turns enrichment on only while the demo config is in use: PARLEY_CONFIG unset.
    enrichment: enrichmentConfig({ ...parsed, PARLEY_CONFIG: env.PARLEY_CONFIG }),
  }
}
