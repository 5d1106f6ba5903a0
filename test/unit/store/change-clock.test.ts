import { describe, expect, it } from 'vitest'
import {
  ChangeClock,
  clockKey,
  snapshotKeys,
} from '../../../server/src/store/sqlite/change-clock.ts'
import { emptySnapshot, type CallRequest } from '../../../server/src/store/call-batch.ts'

function commit(clock: ChangeClock, ...keys: string[]): void {
  for (const key of keys) clock.mark(key)
  clock.workDone(true)
  clock.groupDone(true)
}

describe('ChangeClock', () => {
  it('trusts a snapshot whose keys did not change after the commit it was read at', () => {
    const clock = new ChangeClock()
    commit(clock, 'device:a')
    commit(clock, 'device:b')
    expect(clock.commits).toBe(2)
    expect(clock.unchangedSince(1, ['device:a'])).toBe(true)
    expect(clock.unchangedSince(1, ['device:b'])).toBe(false)
    expect(clock.unchangedSince(2, ['device:a', 'device:b'])).toBe(true)
  })

  it('distrusts a key an earlier transaction of the running group changed, until it rolls back', () => {
    const clock = new ChangeClock()
    clock.mark('user:U')
    clock.workDone(true)
    expect(clock.unchangedSince(0, ['user:U'])).toBe(false)
    clock.mark('user:V')
    clock.workDone(false)
    expect(clock.unchangedSince(0, ['user:V'])).toBe(true)
    clock.groupDone(false)
    expect([clock.commits, clock.unchangedSince(0, ['user:U'])]).toEqual([0, true])
  })

  it('distrusts every older snapshot after a change no key names (a prune)', () => {
    const clock = new ChangeClock()
    commit(clock, 'device:a')
    clock.markAll()
    commit(clock)
    expect(clock.unchangedSince(1, ['device:z'])).toBe(false)
    expect(clock.unchangedSince(2, ['device:z'])).toBe(true)
  })
})

describe('snapshotKeys', () => {
  it('names every identifier the call asked for and every profile and account it found', () => {
    const request: CallRequest = {
      locks: [],
      anonymousIds: ['a'],
      userIds: ['U'],
      accountKeys: ['id:1'],
      messageKey: 'web:m1',
      suppressionKeys: ['s'],
      impressions: true,
    }
    const snapshot = {
      ...emptySnapshot(),
      devices: [{ anonymousId: 'a', profileId: 'p1' }],
      users: [{ userId: 'U', profileId: 'p2' }],
      accountKeys: [{ key: 'id:1', accountId: 'acc' }],
    }
    expect(new Set(snapshotKeys(request, snapshot))).toEqual(
      new Set([
        clockKey.message('web:m1'),
        clockKey.suppression('s'),
        clockKey.device('a'),
        clockKey.user('U'),
        clockKey.profile('p1'),
        clockKey.impressions('p1'),
        clockKey.profile('p2'),
        clockKey.impressions('p2'),
        clockKey.accountKey('id:1'),
        clockKey.account('acc'),
      ]),
    )
  })
})
