import { describe, expect, it } from 'vitest'
import type { Impression } from '../../server/src/measurement/exposure.ts'
import { goalConversions } from '../../server/src/measurement/goal-conversions.ts'

const shown = (experienceId: string, at: number): Impression => ({
  profileId: 'p',
  experienceId,
  variation: 'A',
  control: false,
  at,
})

describe('goalConversions', () => {
  const goal = { name: 'Signed up', experienceIds: ['e1', 'e2'], windowMs: 100, paused: {} }

  it('counts the goal for every experience that names it, within the window after its first impression', () => {
    expect(goalConversions([shown('e1', 0), shown('e2', 50)], 'p', goal, 100)).toEqual([
      { profileId: 'p', experienceId: 'e1', goal: 'Signed up', at: 100 },
      { profileId: 'p', experienceId: 'e2', goal: 'Signed up', at: 100 },
    ])
  })

  it('counts nothing for the visitors of a paused variation', () => {
    const paused = { ...goal, paused: { e1: ['A'] } }
    expect(goalConversions([shown('e1', 0), shown('e2', 0)], 'p', paused, 50)).toEqual([
      { profileId: 'p', experienceId: 'e2', goal: 'Signed up', at: 50 },
    ])
  })

  it('counts nothing before the impression, after the window, or for an experience without the goal', () => {
    expect(
      goalConversions([shown('e1', 200), shown('e2', 0), shown('e3', 150)], 'p', goal, 150),
    ).toEqual([])
  })
})
