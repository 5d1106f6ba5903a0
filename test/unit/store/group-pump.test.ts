import { describe, expect, it } from 'vitest'
import { GroupPump } from '../../../server/src/store/postgres/group-pump.ts'

/** A queue of numbered calls whose groups end when the test says so. */
function harness(maxInFlight: number, overlapAt?: number, overlapAfterMs = 60_000) {
  const queue: number[] = []
  const groups: { calls: number[]; end: () => void }[] = []
  const pump = new GroupPump(
    maxInFlight,
    () => queue.length,
    () =>
      new Promise<void>((end) => {
        groups.push({ calls: queue.splice(0), end })
      }),
    { ...(overlapAt === undefined ? {} : { overlapAt }), overlapAfterMs },
  )
  const turn = () => new Promise((done) => setImmediate(done))
  const add = (...calls: number[]) => {
    queue.push(...calls)
    pump.pump()
  }
  return { queue, groups, add, turn }
}

describe('GroupPump', () => {
  it('starts a lone call at once when nothing is in flight', async () => {
    const { groups, add, turn } = harness(2, 4)
    add(1)
    await turn()
    expect(groups.map((group) => group.calls)).toEqual([[1]])
  })

  it('starts a second group only once enough calls wait, and never more than its limit', async () => {
    const { groups, add, turn, queue } = harness(2, 4)
    add(1)
    await turn()
    add(2, 3, 4)
    await turn()
    expect(groups).toHaveLength(1)
    add(5)
    await turn()
    expect(groups.map((group) => group.calls)).toEqual([[1], [2, 3, 4, 5]])
    add(6, 7, 8, 9, 10)
    await turn()
    expect(groups).toHaveLength(2)
    expect(queue).toEqual([6, 7, 8, 9, 10])
  })

  it('gives the calls that waited to the next group when a running one ends', async () => {
    const { groups, add, turn } = harness(2, 4)
    add(1)
    await turn()
    add(2, 3)
    await turn()
    groups[0]?.end()
    await turn()
    await turn()
    expect(groups.map((group) => group.calls)).toEqual([[1], [2, 3]])
  })

  it('starts a second group for fewer calls once they waited long enough', async () => {
    const { groups, add, turn } = harness(2, 4, 5)
    add(1)
    await turn()
    add(2)
    await turn()
    expect(groups).toHaveLength(1)
    await new Promise((done) => setTimeout(done, 30))
    expect(groups.map((group) => group.calls)).toEqual([[1], [2]])
  })

  it('overlaps groups as soon as anything waits by default', async () => {
    const { groups, add, turn } = harness(2)
    add(1)
    await turn()
    add(2)
    await turn()
    expect(groups.map((group) => group.calls)).toEqual([[1], [2]])
  })
})
