import { describe, expect, it } from 'vitest'
import { KeyLocks } from '../../../server/src/store/key-locks.ts'

/** A task that records when it starts and ends, and finishes when `finish` is called. */
function gate(log: string[], name: string) {
  let finish = (): void => undefined
  const finished = new Promise<void>((resolve) => {
    finish = resolve
  })
  const task = async () => {
    log.push(`${name} start`)
    await finished
    log.push(`${name} end`)
    return name
  }
  return { task, finish }
}

const tick = () => new Promise((resolve) => setImmediate(resolve))

describe('KeyLocks', () => {
  it('runs tasks that share a key one after another, in the order they asked', async () => {
    const locks = new KeyLocks()
    const log: string[] = []
    const a = gate(log, 'a')
    const b = gate(log, 'b')
    const runA = locks.run(['anonymous:1'], a.task)
    const runB = locks.run(['user:u', 'anonymous:1'], b.task)
    await tick()
    expect(log).toEqual(['a start'])
    a.finish()
    await runA
    await tick()
    expect(log).toEqual(['a start', 'a end', 'b start'])
    b.finish()
    expect(await runB).toBe('b')
    expect(locks.size).toBe(0)
  })

  it('runs tasks with no key in common side by side', async () => {
    const locks = new KeyLocks()
    const log: string[] = []
    const a = gate(log, 'a')
    const b = gate(log, 'b')
    const runs = [locks.run(['anonymous:1'], a.task), locks.run(['anonymous:2'], b.task)]
    await tick()
    expect(log).toEqual(['a start', 'b start'])
    b.finish()
    a.finish()
    expect(await Promise.all(runs)).toEqual(['a', 'b'])
  })

  it('never deadlocks on keys claimed in opposite orders', async () => {
    const locks = new KeyLocks()
    const order: string[] = []
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        locks.run(i % 2 === 0 ? ['x', 'y'] : ['y', 'x'], async () => {
          order.push(String(i))
          await tick()
        }),
      ),
    )
    expect(order).toEqual(Array.from({ length: 50 }, (_, i) => String(i)))
    expect(locks.size).toBe(0)
  })

  it('frees the keys of a task that failed', async () => {
    const locks = new KeyLocks()
    await expect(locks.run(['k'], () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    expect(await locks.run(['k'], () => Promise.resolve('next'))).toBe('next')
    expect(locks.size).toBe(0)
  })
})
