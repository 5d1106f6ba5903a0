import { createConnection, createServer, type Socket } from 'node:net'

/**
 * How the proxy treats traffic: `forward` passes it through; `refuse` resets every connection
 * (a stopped database); `blackhole` keeps sockets open but passes nothing either way (a dead
 * network, where only timeouts help).
 */
export type ProxyMode = 'forward' | 'refuse' | 'blackhole'

/** A TCP proxy in front of the real database, so tests can take it away without stopping it. */
export interface TcpProxy {
  port: number
  /** Switches mode; `refuse` and `blackhole` also cut or freeze connections already open. */
  setMode: (mode: ProxyMode) => void
  close: () => Promise<void>
}

/** Starts a proxy on a free 127.0.0.1 port that forwards to `target` (in `forward` mode). */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: ProxyMode = 'forward'
  const pairs = new Set<[Socket, Socket]>()

  const server = createServer((client) => {
    if (mode === 'refuse') {
      client.resetAndDestroy()
      return
    }
    const upstream = createConnection(target)
    const pair: [Socket, Socket] = [client, upstream]
    pairs.add(pair)
    const forget = () => {
      pairs.delete(pair)
      client.destroy()
      upstream.destroy()
    }
    for (const [from, to] of [pair, [upstream, client] as const]) {
      from.on('data', (chunk: Buffer) => {
        if (mode === 'forward') to.write(chunk)
      })
      from.on('error', forget)
      from.on('close', forget)
    }
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('proxy did not bind')

  return {
    port: address.port,
    setMode: (next) => {
      mode = next
      if (next === 'refuse') {
        for (const [client, upstream] of pairs) {
          client.resetAndDestroy()
          upstream.destroy()
        }
        pairs.clear()
      }
    },
    close: async () => {
      for (const [client, upstream] of pairs) {
        client.destroy()
        upstream.destroy()
      }
      await new Promise<void>((done) => server.close(() => done()))
    },
  }
}
