import type { Enrichment } from '../enrichment/enrichment.ts'
import type { GoalSpec } from '../measurement/goal-conversions.ts'
import type { GoalSource } from '../pipeline/ingest.ts'
import {
  readPersonalizedVisitor,
  type PersonalizedVisitor,
} from '../profile/personalized-visitor.ts'
import type { JsonObject } from '../traits/json.ts'
import type { PageInfo } from '../pipeline/ingest-event.ts'
import type { Store } from '../store/store.ts'
import { buildContext } from './build-context.ts'
import { countsConversions } from './compile-config.ts'
import type { PersonalizationEngine } from './engine.ts'
import type { Decision } from './evaluate.ts'

/** What a page tells about the request to personalise. */
export interface PersonalizeRequest {
  profileId: string
  page: PageInfo
  userAgent: string | undefined
  /** What the request's address told; absent when enrichment is off or not consented. */
  enrichment?: Enrichment
  /** Provider traits already known for a company domain. */
  firmographics?: (domain: string) => JsonObject | undefined
  /**
   * What the caller already has of this profile: read in a read of its own
   * (`readPersonalizedVisitor`), or as the call it just made left it (`IngestResult.visitor`).
   * Default: read it now.
   */
  visitor?: PersonalizedVisitor
}

/** A decision for a profile, with the user id the payload carries. */
export interface PersonalizeResult extends Decision {
  userId: string | null
}

/**
 * Personalisation with its I/O: reads the visitor (through the store's cache), asks the engine,
 * records first impressions; and, as the pipeline's goal recorder, counts conversions.
 */
export class Personalizer implements GoalSource {
  readonly engine: PersonalizationEngine
  readonly #clock: () => number

  constructor(engine: PersonalizationEngine, clock: () => number) {
    this.engine = engine
    this.#clock = clock
  }

  /**
   * The goal a track event of this name reaches (a goal of any experience that is not a draft),
   * with the running experiences that count it and their paused variations, whose visitors'
   * conversions are not counted.
   */
  goal(eventName: string): GoalSpec | undefined {
    const config = this.engine.config
    if (!config.goalNames.has(eventName)) return undefined
    const experienceIds = config.goals.get(eventName) ?? []
    const paused: Record<string, string[]> = {}
    for (const id of experienceIds) {
      const experience = config.experiencesById.get(id)
      const variations = experience?.variations
        .filter((variation) => !countsConversions(experience, variation.id))
        .map((variation) => variation.id)
      if (variations !== undefined && variations.length > 0) paused[id] = variations
    }
    return { name: eventName, experienceIds, windowMs: config.attributionWindowMs, paused }
  }

  /**
   * The segments and experiences for a profile on a page. Experiences shown for the first time
   * are recorded as impressions before the answer, so what the visitor saw is what gets counted.
   */
  async personalize(store: Store, request: PersonalizeRequest): Promise<PersonalizeResult> {
    const { profileId } = request
    const visitor =
      request.visitor ?? (await store.read((reader) => readPersonalizedVisitor(reader, profileId)))
    const { profile, impressions } = visitor
    // A call's result carries the account only when the call read or wrote it.
    const accountId = profile?.account?.id ?? null
    const account =
      visitor.account ??
      (accountId === null ? undefined : await store.read((reader) => reader.account(accountId)))
    const now = this.#clock()
    const ctx = buildContext({
      profile,
      account,
      page: request.page,
      userAgent: request.userAgent,
      now,
      ...(request.enrichment === undefined ? {} : { enrichment: request.enrichment }),
      ...(request.firmographics === undefined ? {} : { firmographics: request.firmographics }),
    })
    const assigned = new Map(
      impressions.map((impression) => [impression.experienceId, impression.variation]),
    )
    const decision = this.engine.decide(ctx, profileId, assigned)
    // Only a running experience's first showing counts: a concluded one serves its winner
    // without adding to the frozen report.
    const fresh = decision.experiences.filter(
      (experience) => !assigned.has(experience.id) && decision.measured.includes(experience.id),
    )
    if (profile !== undefined && fresh.length > 0) {
      await store.transaction(async (tx) => {
        for (const experience of fresh) {
          await tx.recordImpression({
            profileId,
            experienceId: experience.id,
            variation: experience.variation,
            control: experience.control,
            at: now,
          })
        }
      })
    }
    return { ...decision, userId: profile?.userId ?? null }
  }
}
