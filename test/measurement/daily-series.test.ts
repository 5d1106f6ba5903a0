import { describe, expect, it } from 'vitest'
import { readDailySeries } from '../../server/src/measurement/read-experience-report.ts'
import { compileConfig } from '../../server/src/personalization/compile-config.ts'
import { parsePersonalizationConfig } from '../../server/src/personalization/load-config.ts'
import { MemoryStore } from '../../server/src/store/memory/memory-store.ts'

const day = 86_400_000
const config = compileConfig(
  parsePersonalizationConfig(
    `experiences:
  - id: e
    holdout: 0.5
    goals: [g]
    variations: [{ id: a, content: { s: x } }]
`,
    'test.yaml',
  ),
)

describe('daily series of an experience', () => {
  it('gives per arm the exposed of each day and the cumulative rate up to it', async () => {
    const store = new MemoryStore()
    const start = Date.UTC(2026, 5, 1, 10)
    await store.transaction(async (tx) => {
      const shown = [
        ['c1', 'control', start],
        ['a1', 'a', start],
        ['a2', 'a', start],
        ['a3', 'a', start + day],
      ] as const
      for (const [profileId, variation, at] of shown) {
        await tx.recordImpression({
          profileId,
          experienceId: 'e',
          variation,
          control: variation === 'control',
          at,
        })
      }
      await tx.recordConversion({
        profileId: 'a1',
        experienceId: 'e',
        goal: 'g',
        at: start + 2 * day,
      })
      await tx.recordConversion({ profileId: 'a3', experienceId: 'e', goal: 'g', at: start + day })
    })
    const experience = config.experiencesById.get('e')
    if (experience === undefined) throw new Error('no experience')
    const series = await store.read((r) => readDailySeries(r, experience, 'g', 7 * day))
    expect(series).toEqual([
      {
        arm: 'control',
        points: [
          {
            day: '2026-06-01',
            exposed: 1,
            cumulativeExposed: 1,
            cumulativeConversions: 0,
            cumulativeRate: 0,
          },
          {
            day: '2026-06-02',
            exposed: 0,
            cumulativeExposed: 1,
            cumulativeConversions: 0,
            cumulativeRate: 0,
          },
        ],
      },
      {
        arm: 'a',
        points: [
          {
            day: '2026-06-01',
            exposed: 2,
            cumulativeExposed: 2,
            cumulativeConversions: 1,
            cumulativeRate: 0.5,
          },
          {
            day: '2026-06-02',
            exposed: 1,
            cumulativeExposed: 3,
            cumulativeConversions: 2,
            cumulativeRate: 2 / 3,
          },
        ],
      },
    ])
  })
})
