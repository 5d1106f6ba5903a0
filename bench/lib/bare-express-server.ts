import { createServer } from 'node:http'
import express from 'express'
import { createAppServer } from '../../server/src/http/app-server.ts'

/**
 * The baseline every benchmark compares against: Express 5 parsing the same JSON body and
 * answering a small JSON object, with no validation, store or logic. Served as `app.listen`
 * serves it, or with `PARLEY_BENCH_BARE_SERVER=container` as the container serves itself
 * (`createAppServer`), which on Node 20 spares each request a slow `setPrototypeOf`.
 */
const app = express()
app.use(express.json({ limit: '32kb', type: ['application/json', 'text/plain'] }))
app.post('/{*path}', (req, res) => {
  res.json({ success: true, keys: Object.keys(req.body as object).length })
})
app.get('/{*path}', (_req, res) => {
  res.json({ success: true })
})
const server =
  process.env.PARLEY_BENCH_BARE_SERVER === 'container' ? createAppServer(app) : createServer(app)
server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  if (typeof address === 'object' && address !== null) {
    process.stdout.write(`${JSON.stringify({ msg: 'baseline listening', port: address.port })}\n`)
  }
})
process.once('SIGTERM', () => server.close(() => process.exit(0)))
