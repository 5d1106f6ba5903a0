import { setTimeout as sleep } from 'node:timers/promises'
import { parentPort, workerData, type MessagePort } from 'node:worker_threads'
import Database from 'better-sqlite3'
import type { CheckpointerData, CheckpointerMessage } from './background-checkpoints.ts'
import { toWire } from './sqlite-protocol.ts'

/*
 * The thread that copies the write-ahead log into the database file, on a connection of its
 * own, so the writer's commits do not wait for the copying (see background-checkpoints.ts). It
 * writes no rows. A PASSIVE checkpoint takes no lock the writer needs: the writer appends to the
 * log while this copies what is already there.
 */

/** `Atomics.waitAsync` (Node 16 and later), which the ES2023 library of the build leaves out. */
const waitAsync = (
  Atomics as unknown as {
    waitAsync: (
      array: Int32Array,
      index: number,
      value: number,
    ) => { async: false; value: string } | { async: true; value: Promise<string> }
  }
).waitAsync

if (parentPort === null) throw new Error('checkpoint-worker.ts runs as a worker thread only')
checkpoint(parentPort, workerData as CheckpointerData)

function checkpoint(port: MessagePort, data: CheckpointerData): void {
  const { file, synchronous, nativeBinding, commits, gapMs } = data
  const send = (message: CheckpointerMessage) => port.postMessage(message)
  let db: Database.Database
  try {
    db = new Database(file, nativeBinding === undefined ? {} : { nativeBinding })
    // The checkpoint syncs the log before it copies and the file after, as the writer's would.
    db.pragma(`synchronous = ${synchronous}`)
  } catch (error) {
    send({ type: 'failed', error: toWire(error) })
    port.close()
    return
  }

  let closing = false
  /** Whether the last pass failed: a fault is told once, not at every pass. */
  let failing = false
  const pass = () => {
    try {
      db.pragma('wal_checkpoint(PASSIVE)')
      failing = false
    } catch (error) {
      // The writer's own threshold still checkpoints; the next commit brings another pass.
      if (!failing) send({ type: 'error', error: toWire(error) })
      failing = true
    }
  }

  /** One pass after the writer's commits, at most one a gap: idle, it only waits. */
  const run = async () => {
    // From 0, not the count now: what was committed before this thread started is copied too.
    let seen = 0
    while (!closing) {
      const waiting = waitAsync(commits, 0, seen)
      if (waiting.async) await waiting.value
      if (closing) break
      seen = Atomics.load(commits, 0)
      pass()
      // The commits of the gap are copied together by the next pass.
      await sleep(gapMs)
    }
    db.close()
    port.close()
  }

  port.on('message', (message: 'close') => {
    if (message !== 'close') return
    closing = true
    Atomics.notify(commits, 0)
  })
  void run()
}
