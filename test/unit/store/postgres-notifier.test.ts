import { describe, expect, it } from 'vitest'
import { PostgresNotifier } from '../../../server/src/store/postgres/postgres-notifier.ts'

const decode = (payload: string) => JSON.parse(payload) as { from: string; keys: string[] }

describe('PostgresNotifier', () => {
  it('sends the keys of commits that pile up during one send together in the next', async () => {
    const sent: string[][] = []
    let release!: () => void
    const firstSendBlocked = new Promise<void>((done) => (release = done))
    const notifier = new PostgresNotifier({
      from: 'me',
      send: async (payload) => {
        if (sent.length === 0) await firstSendBlocked
        sent.push(decode(payload).keys)
      },
      onError: () => undefined,
    })
    notifier.publish(['profile:1'])
    notifier.publish(['profile:2', 'account:a'])
    notifier.publish(['profile:2'])
    release()
    await notifier.close()
    expect(sent).toEqual([['profile:1'], ['profile:2', 'account:a']])
  })

  it('keeps the keys of a failed send and sends them once the database answers again', async () => {
    const sent: string[] = []
    const errors: unknown[] = []
    let failures = 2
    let delivered!: () => void
    const done = new Promise<void>((resolve) => (delivered = resolve))
    const notifier = new PostgresNotifier({
      from: 'me',
      send: async (payload) => {
        if (failures > 0) {
          failures -= 1
          throw new Error('database down')
        }
        sent.push(...decode(payload).keys)
        delivered()
      },
      onError: (error) => errors.push(error),
    })
    notifier.publish(['profile:1'])
    await done
    expect(sent).toEqual(['profile:1'])
    expect(errors).toHaveLength(2)
    await notifier.close()
  })

  it('sends nothing after it was closed', async () => {
    const sent: string[] = []
    const notifier = new PostgresNotifier({
      from: 'me',
      send: async (payload) => {
        sent.push(payload)
      },
      onError: () => undefined,
    })
    await notifier.close()
    notifier.publish(['profile:1'])
    await notifier.close()
    expect(sent).toEqual([])
  })
})
