import { describe, expect, it } from 'vitest'
import { newProfile } from '../../../server/src/profile/profile.ts'
import { ChangeFeed, type StoreChange } from '../../../server/src/store/change-feed.ts'
import { MemoryStore } from '../../../server/src/store/memory/memory-store.ts'
import {
  isConnectionFault,
  isRetryable,
  toStoreError,
} from '../../../server/src/store/postgres/postgres-errors.ts'

describe('ChangeFeed', () => {
  it('keeps telling the other listeners when one of them throws', () => {
    const errors: unknown[] = []
    const feed = new ChangeFeed((error) => errors.push(error))
    const heard: StoreChange[] = []
    feed.onChange(() => {
      throw new Error('broken cache')
    })
    const unsubscribe = feed.onChange((change) => heard.push(change))
    feed.emit({ kind: 'reset', reason: 'test' })
    unsubscribe()
    feed.emit({ kind: 'reset', reason: 'after unsubscribe' })
    expect(heard).toEqual([{ kind: 'reset', reason: 'test' }])
    expect(errors).toHaveLength(2)
  })
})

describe('Store.onChange (in-process engines)', () => {
  it('names the profiles, devices and accounts a committed transaction wrote', async () => {
    const store = new MemoryStore()
    const heard: StoreChange[] = []
    store.onChange((change) => heard.push(change))
    await store.transaction(async (tx) => {
      await tx.putProfile(newProfile('from', null, 1))
      await tx.linkAnonymousId('moved-device', 'from', 1)
    })
    heard.length = 0
    await store.transaction(async (tx) => {
      await tx.putProfile(newProfile('into', 'U', 1))
      await tx.moveProfileData('from', 'into')
      await tx.deleteProfile('from')
      await tx.unlinkAnonymousId('old-device')
      await tx.linkAccountKey('domain:acme.com', 'acc')
      await tx.claimMessage('m', 1)
    })
    await store.transaction((tx) => tx.claimMessage('read-only', 1))
    expect(heard).toEqual([
      {
        kind: 'changed',
        origin: 'local',
        keys: [
          'profile:into',
          'profile:from',
          'impressions:from',
          'impressions:into',
          'device:moved-device',
          'device:old-device',
          'account:acc',
        ],
      },
    ])
  })

  it('says nothing about a transaction that failed', async () => {
    const store = new MemoryStore()
    const heard: StoreChange[] = []
    store.onChange((change) => heard.push(change))
    await expect(
      store.transaction(async (tx) => {
        await tx.putProfile(newProfile('p', null, 1))
        throw new Error('no')
      }),
    ).rejects.toThrow('no')
    expect(heard).toEqual([])
  })
})

describe('PostgreSQL error classes', () => {
  const sqlError = (code: string) => Object.assign(new Error(`sql ${code}`), { code })

  it('retries serialization failures, deadlocks and unique violations only', () => {
    expect(['40001', '40P01', '23505'].map((code) => isRetryable(sqlError(code)))).toEqual([
      true,
      true,
      true,
    ])
    expect(isRetryable(sqlError('42P01'))).toBe(false)
    expect(isRetryable(new Error('Connection terminated unexpectedly'))).toBe(false)
  })

  it('answers a lost or refused connection and a timeout with a retryable 503', () => {
    for (const error of [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Query read timeout'),
      sqlError('57P01'),
      sqlError('08006'),
      sqlError('57014'),
      sqlError('40P01'),
    ]) {
      expect(isConnectionFault(error) || isRetryable(error)).toBe(true)
      expect(toStoreError(error)).toMatchObject({ code: 'store_unavailable', status: 503 })
    }
  })

  it('leaves a programming error and a broken unique key as they are (a 500)', () => {
    const missingTable = sqlError('42P01')
    expect(toStoreError(missingTable)).toBe(missingTable)
    const duplicate = sqlError('23505')
    expect(toStoreError(duplicate)).toBe(duplicate)
  })
})
