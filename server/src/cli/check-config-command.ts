import { PersonalizationEngine } from '../personalization/engine.ts'
import {
  PersonalizationConfigError,
  readPersonalizationConfig,
} from '../personalization/load-config.ts'
import { exitCode, type CliIo } from './cli-io.ts'

/**
 * `parley check-config FILE`: validates a personalisation file with the loader and compiler
 * the container starts with. Prints each problem with its path; exits 1 on any.
 */
export function checkConfigCommand(file: string, io: CliIo): number {
  try {
    const engine = new PersonalizationEngine(readPersonalizationConfig(file))
    const { segments, experiences } = engine.config
    io.out(`${file}: valid (${segments.length} segments, ${experiences.length} experiences)`)
    return exitCode.ok
  } catch (error) {
    if (!(error instanceof PersonalizationConfigError)) throw error
    io.err(`${file}: ${error.issues.length} problem${error.issues.length === 1 ? '' : 's'}`)
    for (const issue of error.issues) io.err(`  ${issue}`)
    return exitCode.failed
  }
}
