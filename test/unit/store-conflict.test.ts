import { describe, expect, it } from 'vitest'
import {
  isConnectionFault,
  isRetryable,
  toStoreError,
} from '../../server/src/store/postgres/postgres-errors.ts'
import { StoreConflictError } from '../../server/src/store/store-conflict.ts'

describe('StoreConflictError', () => {
  it('is retried by the PostgreSQL engine like a serialization failure', () => {
    const conflict = new StoreConflictError('profile p is linked but missing')
    expect(isRetryable(conflict)).toBe(true)
    expect(isConnectionFault(conflict)).toBe(false)
  })

  it('becomes a retryable 503 when it outlives every retry', () => {
    expect(toStoreError(new StoreConflictError('still missing'))).toMatchObject({
      code: 'store_unavailable',
      status: 503,
    })
  })
})
