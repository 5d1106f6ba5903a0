import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { formatRow, runLoad, tableHeader, type LoadResult } from './lib/load.ts'
import { startServerProcess } from './lib/processes.ts'

/**
 * Identify throughput of the container on SQLite against a bare Express endpoint that parses the
 * same JSON body, measured in the same run on the same machine. Each request is a new device of
 * one of 1,000 users, so the run mixes creates, merges and new-device links.
 *
 *   npm run bench -- identify        (PARLEY_BENCH_SECONDS=10 by default)
 */
export async function benchIdentify(seconds: number): Promise<Record<string, LoadResult>> {
  const writeKey = 'bench-write-key'
  const auth = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`
  let n = 0
  const body = () =>
    JSON.stringify({
      userId: `user-${(n += 1) % 1000}`,
      anonymousId: randomUUID(),
      messageId: randomUUID(),
      traits: {
        email: `user-${n % 1000}@acme-${n % 50}.test`,
        plan: n % 3 === 0 ? 'pro' : 'free',
        seen: n,
        company: { id: `acme-${n % 50}`, employeeCount: n % 500 },
      },
    })

  const baselineServer = await startServerProcess('bench/lib/bare-express-server.ts')
  const baselineUrl = `${baselineServer.url}/v1/identify`
  const baseline = await runLoad({ url: baselineUrl, duration: seconds, body })
  // Latency is compared at the load the target promises: half of the baseline's maximum.
  const rate = Math.round(baseline.requestsPerSecond / 2)
  const baselineAtRate = await runLoad({ url: baselineUrl, duration: seconds, body, rate })
  await baselineServer.stop()

  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-'))
  const container = await startServerProcess('server/src/index.ts', {
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    PARLEY_DATABASE_URL: `sqlite:${join(dir, 'bench.db')}`,
    PARLEY_WRITE_KEYS: writeKey,
    PARLEY_LOG_LEVEL: 'info',
  })
  const identifyUrl = `${container.url}/v1/identify`
  const headers = { authorization: auth }
  const identify = await runLoad({ url: identifyUrl, duration: seconds, headers, body })
  const identifyAtRate = await runLoad({ url: identifyUrl, duration: seconds, headers, body, rate })
  await container.stop()
  rmSync(dir, { recursive: true, force: true })

  console.log(`\n## Identify on SQLite vs bare Express (${seconds} s per row, 32 connections)\n`)
  console.log(tableHeader)
  console.log(formatRow('bare Express, same JSON body, max', baseline))
  console.log(formatRow('POST /v1/identify, SQLite synchronous=FULL, max', identify))
  console.log(formatRow(`bare Express at ${rate} req/s`, baselineAtRate))
  console.log(formatRow(`POST /v1/identify at ${rate} req/s`, identifyAtRate))
  console.log(
    `\nthroughput ratio: ${(identify.requestsPerSecond / baseline.requestsPerSecond).toFixed(2)} (target >= 0.50)` +
      `\np99 at ${rate} req/s: +${(identifyAtRate.p99Ms - baselineAtRate.p99Ms).toFixed(1)} ms over baseline (target <= +10 ms)`,
  )
  return { baseline, identify, baselineAtRate, identifyAtRate }
}
