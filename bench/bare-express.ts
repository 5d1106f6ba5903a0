import express from 'express'

/**
 * The baseline of the benchmarks: Express 5 with a JSON body parser and nothing else, answering
 * the same routes the container serves. Run as its own process, like the containers, on PORT
 * (default: a free port); prints `{"port":N}` once it listens.
 */
const app = express()
app.disable('x-powered-by')
app.disable('etag')
app.use(express.json({ limit: '32kb' }))
app.post('/v1/identify', (_req, res) => {
  res.json({ success: true })
})
app.get('/v1/admin/profiles/lookup', (req, res) => {
  res.json({ profile: { userId: req.query.userId ?? null } })
})
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address()
  process.stdout.write(
    `${JSON.stringify({ port: typeof address === 'object' && address !== null ? address.port : 0 })}\n`,
  )
})
process.once('SIGTERM', () => server.close(() => process.exit(0)))
