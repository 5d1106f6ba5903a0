import type { Server, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { Logger } from '../config/logger.ts'

/** What a graceful stop needs. */
export interface ShutdownDeps {
  server: Server
  /** Closes the store once no request is left; its own transactions finish first. */
  closeStore: () => Promise<void>
  logger: Logger
  /** Runs first (stop timers). */
  onStop?: () => void
  /** Longest wait for in-flight requests before giving up. Default: 10,000 ms. */
  timeoutMs?: number
  exit?: (code: number) => void
}

/**
 * Stops the container on SIGTERM or SIGINT without losing an acknowledged call: no new
 * connections, in-flight requests finish and are answered with `Connection: close`, connections
 * with nothing in flight are closed at once instead of after their keep-alive timeout, then the
 * store is closed and the process exits 0. After `timeoutMs` it exits 1 anyway; calls cut off
 * then were never acknowledged, so their clients retry.
 */
export function installGracefulShutdown(deps: ShutdownDeps): void {
  const exit = deps.exit ?? ((code: number) => process.exit(code))
  const { server, logger } = deps
  let draining = false
  // Per connection: requests in flight, and the bytes it had read when it last fell idle. A
  // connection that has read more since is sending a request the server has not parsed yet, so
  // it is not idle either. (closeIdleConnections() cannot tell: it counts a connection that never
  // sent a byte as busy until the headers timeout, 60 s.)
  const connections = new Map<Socket, { active: number; bytesAtIdle: number }>()
  const answering = new Set<ServerResponse>()
  const closeIfIdle = (socket: Socket) => {
    const state = connections.get(socket)
    if (draining && state?.active === 0 && socket.bytesRead === state.bytesAtIdle) socket.destroy()
  }
  server.on('connection', (socket: Socket) => {
    connections.set(socket, { active: 0, bytesAtIdle: 0 })
    socket.once('close', () => connections.delete(socket))
  })
  server.prependListener('request', (req, res) => {
    const state = connections.get(req.socket)
    if (state !== undefined) state.active += 1
    if (draining) res.setHeader('Connection', 'close')
    answering.add(res)
    res.once('close', () => {
      answering.delete(res)
      if (state === undefined) return
      state.active -= 1
      state.bytesAtIdle = req.socket.bytesRead
      closeIfIdle(req.socket)
    })
  })

  const shutdown = (signal: string) => {
    if (draining) return
    draining = true
    deps.onStop?.()
    for (const res of answering) if (!res.headersSent) res.setHeader('Connection', 'close')
    const force = setTimeout(() => {
      logger.error('in-flight requests did not finish in time; exiting')
      exit(1)
    }, deps.timeoutMs ?? 10_000)
    force.unref()
    // Connections accepted in the same tick, or half-way through sending a request, settle
    // later: look again until the server has closed.
    const sweep = setInterval(() => {
      for (const socket of connections.keys()) closeIfIdle(socket)
    }, 100)
    sweep.unref()
    // close() stops listening at once: said after it, the log line below is true when read.
    server.close(() => {
      clearInterval(sweep)
      deps
        .closeStore()
        .then(() => {
          logger.info('stopped')
          exit(0)
        })
        .catch((error: unknown) => {
          logger.error({ err: error }, 'closing the store failed')
          exit(1)
        })
    })
    logger.info({ signal }, 'shutting down: no new connections, finishing in-flight requests')
    for (const socket of connections.keys()) closeIfIdle(socket)
  }
  process.once('SIGTERM', () => shutdown('SIGTERM'))
  process.once('SIGINT', () => shutdown('SIGINT'))
}
