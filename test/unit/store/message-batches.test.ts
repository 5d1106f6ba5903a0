import { describe, expect, it } from 'vitest'
import { batchedPoster } from '../../../server/src/store/sqlite/message-batches.ts'

const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

describe('batchedPoster', () => {
  it('posts what one turn sent as one batch, in order, and starts a new batch the next turn', async () => {
    const posted: number[][] = []
    const send = batchedPoster<number>((batch) => posted.push(batch))
    send(1)
    send(2)
    send(3)
    expect(posted).toEqual([])
    await nextTurn()
    send(4)
    await nextTurn()
    expect(posted).toEqual([[1, 2, 3], [4]])
  })
})
