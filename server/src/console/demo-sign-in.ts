import type { Config } from '../config/env.ts'
import type { Logger } from '../config/logger.ts'

/**
 * Outside production, when the admin token is the demo default (nobody set one), says where the
 * console is and how to sign in. A token an operator set is never logged.
 */
export function logDemoConsole(logger: Logger, config: Config, port: number): void {
  if (config.env === 'production' || !config.demoDefaults.includes('PARLEY_ADMIN_TOKEN')) return
  logger.info(
    { console: `http://localhost:${port}/console`, demoAdminToken: config.adminToken },
    'console: sign in with the demo admin token (set PARLEY_ADMIN_TOKEN to change it)',
  )
}
