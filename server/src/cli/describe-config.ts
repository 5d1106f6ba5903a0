import type { Config } from '../config/env.ts'
import { redactDatabaseUrl } from '../store/open-store.ts'

/**
 * The settings in force, one `[name, value]` per line, as `parley doctor` prints them: secrets
 * only as whether they are set (and `demo` when a demo value stands in), never their value.
 */
export function describeConfig(config: Config): [string, string][] {
  const demo = new Set(config.demoDefaults)
  const secret = (name: string, value: string | readonly string[] | undefined): string => {
    if (demo.has(name)) return 'demo value'
    if (value === undefined) return 'unset'
    return Array.isArray(value) ? `${value.length} set` : 'set'
  }
  return [
    ['NODE_ENV', config.env],
    ['listen', `${config.host}:${config.port}`],
    ['PARLEY_DATABASE_URL', redactDatabaseUrl(config.databaseUrl)],
    ['PARLEY_CONFIG', config.personalizationFile],
    ['PARLEY_CONFIG_SOURCE', config.configSource],
    ['PARLEY_WRITE_KEYS', secret('PARLEY_WRITE_KEYS', config.writeKeys)],
    ['PARLEY_ADMIN_TOKEN', secret('PARLEY_ADMIN_TOKEN', config.adminToken)],
    ['PARLEY_COOKIE_SECRET', secret('PARLEY_COOKIE_SECRET', config.cookieSecrets)],
    ['PARLEY_METRICS_TOKEN', secret('PARLEY_METRICS_TOKEN', config.metricsToken)],
    ['PARLEY_IDENTITY_VERIFICATION', config.identityVerification],
    [
      'PARLEY_ALLOWED_ORIGINS',
      demo.has('PARLEY_ALLOWED_ORIGINS')
        ? '* (demo value)'
        : config.allowedOrigins.join(', ') || 'none',
    ],
    ['PARLEY_TRUST_PROXY', String(config.trustProxy)],
    [
      'rate limits',
      `${config.rateLimitIpPerMinute}/min per IP, ${config.rateLimitVisitorPerMinute}/min per visitor`,
    ],
    ['PARLEY_CACHE_BYTES', String(config.cacheBytes)],
    ['PARLEY_LOG_LEVEL', config.logLevel],
  ]
}
