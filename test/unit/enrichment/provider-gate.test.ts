import { describe, expect, it } from 'vitest'
import { ProviderGate } from '../../../server/src/enrichment/provider-gate.ts'

type Answer = { name: string }

/** A lookup the test answers by hand, recording what it was asked. */
function manualLookup() {
  const asked: string[] = []
  const pending: {
    resolve: (value: Answer | undefined) => void
    reject: (error: Error) => void
  }[] = []
  return {
    asked,
    pending,
    lookup: (input: string) =>
      new Promise<Answer | undefined>((resolve, reject) => {
        asked.push(input)
        pending.push({ resolve, reject })
      }),
  }
}

describe('ProviderGate', () => {
  it('answers a miss at once with nothing, and the next request from the cache', async () => {
    const manual = manualLookup()
    const gate = new ProviderGate<Answer>({ lookup: manual.lookup })
    expect(gate.peek('key', '198.51.100.7')).toBeUndefined()
    expect(gate.peek('key', '198.51.100.7')).toBeUndefined()
    expect(manual.asked).toEqual(['198.51.100.7']) // one call per key in flight
    manual.pending[0]?.resolve({ name: 'Acme' })
    await gate.settled()
    expect(gate.peek('key')).toEqual({ name: 'Acme' })
    expect(manual.asked).toHaveLength(1)
  })

  it('caches "no match" like an answer, until its time to live ends', async () => {
    let now = 0
    const manual = manualLookup()
    const gate = new ProviderGate<Answer>({ lookup: manual.lookup, ttlMs: 1000, clock: () => now })
    gate.peek('k')
    manual.pending[0]?.resolve(undefined)
    await gate.settled()
    gate.peek('k')
    expect(manual.asked).toHaveLength(1)
    now += 1001
    gate.peek('k')
    expect(manual.asked).toHaveLength(2)
  })

  it('gives up on a call that outlives the timeout, even one that ignores its signal', async () => {
    const failures: unknown[] = []
    const gate = new ProviderGate<Answer>({
      lookup: () => new Promise(() => undefined),
      timeoutMs: 30,
      onFailure: (error) => failures.push(error),
    })
    expect(gate.peek('slow')).toBeUndefined()
    await gate.settled()
    expect(String(failures[0])).toContain('timed out after 30 ms')
    expect(gate.peek('slow')).toBeUndefined()
  })

  it('opens the circuit after consecutive failures, then lets one trial call through', async () => {
    let now = 0
    let calls = 0
    let fail = true
    const gate = new ProviderGate<Answer>({
      lookup: () => {
        calls += 1
        return fail ? Promise.reject(new Error('503')) : Promise.resolve({ name: 'Back' })
      },
      breakerFailures: 3,
      breakerCooldownMs: 10_000,
      failureTtlMs: 1,
      clock: () => now,
    })
    for (const key of ['a', 'b', 'c']) {
      gate.peek(key)
      await gate.settled()
    }
    expect(gate.state).toBe('open')
    gate.peek('d')
    gate.peek('e')
    expect(calls).toBe(3) // refused while open: the service is not hammered

    now += 10_001
    expect(gate.state).toBe('half-open')
    fail = false
    gate.peek('f')
    gate.peek('g') // only one trial at a time
    await gate.settled()
    expect(calls).toBe(4)
    expect(gate.state).toBe('closed')
    expect(gate.peek('f')).toEqual({ name: 'Back' })
  })

  it('bounds the calls in flight', () => {
    const manual = manualLookup()
    const gate = new ProviderGate<Answer>({ lookup: manual.lookup, maxInFlight: 2 })
    for (const key of ['a', 'b', 'c', 'd']) gate.peek(key)
    expect(manual.asked).toEqual(['a', 'b'])
  })
})
