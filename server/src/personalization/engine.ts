import type { EvalContext } from './attributes.ts'
import { compileConfig, type CompiledConfig } from './compile-config.ts'
import type { PersonalizationConfig } from './config-schema.ts'
import { evaluate, type Decision } from './evaluate.ts'

/**
 * Holds the compiled config in force. A reload swaps it in whole, so a request evaluates against
 * one config from start to end.
 */
export class PersonalizationEngine {
  #compiled: CompiledConfig
  #loadedAt: number

  constructor(config: PersonalizationConfig, loadedAt = Date.now()) {
    this.#compiled = compileConfig(config)
    this.#loadedAt = loadedAt
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
