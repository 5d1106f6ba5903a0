import { AppError } from '../errors/app-error.ts'
import type { ConfigIssue } from '../personalization/load-config.ts'

/**
 * `invalid_config` (400): every problem of a config in `details.issues` (the loader's paths and
 * messages), the first one's path in `path`. `verb` says what did not happen: nothing was ….
 */
export function invalidConfig(issues: readonly ConfigIssue[], verb = 'published'): AppError {
  return new AppError(
    'invalid_config',
    `The config has ${issues.length} problem${issues.length === 1 ? '' : 's'}; nothing was ${verb}`,
    { path: issues[0]?.path ?? '(top level)', details: { issues } },
  )
}
