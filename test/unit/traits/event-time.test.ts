import { describe, expect, it } from 'vitest'
import { correctedEventTime } from '../../../server/src/traits/event-time.ts'

describe('correctedEventTime', () => {
  it('corrects a fast client clock the Segment way: receivedAt - (sentAt - timestamp)', () => {
    // The client's clock is 1 hour ahead; the event happened 2 s before it was sent.
    const hour = 3_600_000
    expect(
      correctedEventTime({
        receivedAt: 1_000_000,
        sentAt: 1_000_000 + hour,
        timestamp: 998_000 + hour,
      }),
    ).toBe(998_000)
  })

  it('uses receipt time when the event carries no timestamp', () => {
    expect(correctedEventTime({ receivedAt: 42 })).toBe(42)
  })

  it('never places an event after its receipt', () => {
    expect(correctedEventTime({ receivedAt: 1_000, timestamp: 5_000 })).toBe(1_000)
    expect(correctedEventTime({ receivedAt: 1_000, sentAt: 900, timestamp: 950 })).toBe(1_000)
  })

  it('keeps a past timestamp without sentAt as it is (server-side backfill)', () => {
    expect(correctedEventTime({ receivedAt: 10_000, timestamp: 4_000 })).toBe(4_000)
  })
})
