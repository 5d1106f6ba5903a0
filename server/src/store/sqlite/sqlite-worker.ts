import { parentPort, workerData } from 'node:worker_threads'
import type { StoreReader, StoreWriter } from '../store.ts'
import { SqliteEngine, type SqliteStoreOptions } from './sqlite-engine.ts'
import { batchedPoster } from './message-batches.ts'
import { toWire, type Request, type Response } from './sqlite-protocol.ts'

/*
 * The worker thread that owns the SQLite connection. It runs the engine (prepared statements,
 * group commit, durability) and answers `SqliteStore`'s requests. A pipeline call is one
 * message: its snapshot read, its pure plan and its batch all run here, in the engine's queue.
 */

const port = parentPort
if (port === null) throw new Error('sqlite-worker.ts runs as a worker thread only')
const { file, options, commits } = workerData as {
  file: string
  options: SqliteStoreOptions
  /** Counted after each COMMIT for the checkpointer thread (background-checkpoints.ts). */
  commits: Int32Array | undefined
}
/** Answers, in one message a turn (see message-batches.ts); `failed` must go before exiting. */
const send = batchedPoster<Response>((batch) => port.postMessage(batch))
const sendNow = (message: Response) => port.postMessage([message])

interface Session {
  tx: StoreReader | StoreWriter
  finish: (ok: boolean) => void
  /** Settles when the engine committed (durably) or rolled back the session. */
  done: Promise<unknown>
}

let engine: SqliteEngine
try {
  engine = new SqliteEngine(file, {
    ...options,
    ...(commits === undefined
      ? {}
      : {
          onCommit: () => {
            Atomics.add(commits, 0, 1)
            Atomics.notify(commits, 0)
          },
        }),
  })
} catch (error) {
  sendNow({ type: 'failed', error: toWire(error) })
  port.close()
  throw error
}
// Read sessions come here only for `:memory:` (a file's are answered by the event loop's own
// read-only connection, see sqlite-store.ts): they queue with the writes, so they never see a
// group's uncommitted rows.
engine.onChange((change) => {
  if (change.kind === 'changed') send({ type: 'change', keys: [...change.keys] })
})
const sessions = new Map<number, Session>()

function answer(id: number, work: () => Promise<unknown>): void {
  work().then(
    (value) => send({ type: 'result', id, value, seq: engine.commits }),
    (error: unknown) => send({ type: 'error', id, error: toWire(error), seq: engine.commits }),
  )
}

/**
 * Opens a session of the event loop's statements inside one engine transaction (or read): the
 * `begin` is answered once it is open, and the engine holds it open until `end`.
 */
function begin(id: number, mode: 'write' | 'read'): void {
  let opened = false
  let finish: (ok: boolean) => void = () => undefined
  const body = (tx: StoreReader | StoreWriter) =>
    new Promise<void>((resolve, reject) => {
      opened = true
      finish = (ok) => (ok ? resolve() : reject(new Error('rolled back by its caller')))
      sessions.set(id, { tx, finish, done })
      send({ type: 'result', id, value: null, seq: engine.commits })
    })
  const done: Promise<unknown> = mode === 'write' ? engine.transaction(body) : engine.read(body)
  done.then(
    () => sessions.delete(id),
    (error: unknown) => {
      sessions.delete(id)
      // The engine failed before the session opened (BEGIN failed, the file is closed).
      if (!opened) send({ type: 'error', id, error: toWire(error), seq: engine.commits })
    },
  )
}

port.on('message', (batch: Request[]) => {
  for (const message of batch) receive(message)
})

function receive(message: Request): void {
  switch (message.type) {
    case 'run':
      answer(message.id, () => engine.runCall(message.call))
      break
    case 'begin':
      begin(message.id, message.mode)
      break
    case 'call':
      answer(message.id, async () => {
        const session = sessions.get(message.session)
        if (session === undefined) throw new Error(`no open session ${message.session}`)
        const method = (session.tx as unknown as Record<string, (...args: unknown[]) => unknown>)[
          message.method
        ]
        if (method === undefined) throw new TypeError(`no store method ${message.method}`)
        return await method(...message.args)
      })
      break
    case 'end': {
      const session = sessions.get(message.session)
      session?.finish(message.ok)
      answer(message.id, async () => {
        if (session === undefined) throw new Error(`no open session ${message.session}`)
        await session.done
      })
      break
    }
    case 'ping':
      answer(message.id, () => engine.ping())
      break
    case 'prune':
      answer(message.id, () => engine.pruneMessages(message.before))
      break
    case 'close':
      answer(message.id, async () => {
        await engine.close()
      })
      break
  }
}
sendNow({ type: 'ready' })
