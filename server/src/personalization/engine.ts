import type { EvalContext } from './attributes.ts'
import { compileConfig, type CompiledConfig } from './compile-config.ts'
import type { PersonalizationConfig } from './config-schema.ts'
import { evaluate, type Decision } from './evaluate.ts'

/** A config change that was refused, with every problem and its path. */
export interface ConfigRejection {
  at: number
  issues: string[]
}

/**
 * Holds the compiled config in force. A reload swaps it in whole, so a request evaluates against
 * one config from start to end.
 */
export class PersonalizationEngine {
  #compiled: CompiledConfig
  #source: PersonalizationConfig
  #loadedAt: number
  #rejected: ConfigRejection | undefined

  constructor(config: PersonalizationConfig, loadedAt = Date.now()) {
    this.#compiled = compileConfig(config)
    this.#source = config
    this.#loadedAt = loadedAt
  }

  /** The validated config in force, as written (the console shows its rules and descriptions). */
  get source(): PersonalizationConfig {
    return this.#source
  }

  /** The last change that was refused, if any (kept after a later good load; compare `at`). */
  get rejected(): ConfigRejection | undefined {
    return this.#rejected
  }

  /** Records a refused change: the config in force stays. */
  recordRejection(issues: readonly string[], at = Date.now()): void {
    this.#rejected = { at, issues: [...issues] }
  }

  /** An engine with no segments and no experiences. */
  static empty(): PersonalizationEngine {
    return new PersonalizationEngine({ attributionWindowDays: 7, segments: [], experiences: [] })
  }

  /** The compiled config in force. */
  get config(): CompiledConfig {
    return this.#compiled
  }

  /** When the config in force was loaded (ms). */
  get loadedAt(): number {
    return this.#loadedAt
  }

  /** Compiles and swaps in a new config; throws (keeping the old one) if it cannot compile. */
  replace(config: PersonalizationConfig, loadedAt = Date.now()): void {
    this.#compiled = compileConfig(config)
    this.#source = config
    this.#loadedAt = loadedAt
  }

  /**
   * Segments and experiences for one visitor (by profile id) on one page; `assigned` holds the
   * variations the profile was already shown (see `evaluate`).
   */
  decide(ctx: EvalContext, profileId: string, assigned?: ReadonlyMap<string, string>): Decision {
    return evaluate(this.#compiled, ctx, profileId, assigned)
  }
}
