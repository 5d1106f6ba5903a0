import { execFileSync } from 'node:child_process'
import { benchDisk } from './disk-per-profile.ts'
import { benchIdentify } from './identify-throughput.ts'
import { useRuntime } from './lib/processes.ts'
import { benchPersonalize } from './personalize.ts'
import { benchEnrichment } from './enrichment.ts'
import { benchConsoleReads } from './console-reads.ts'
import { benchRateLimits } from './rate-limit-stores.ts'
import { benchScaleOut } from './scale-out.ts'

/**
 * `npm run bench [-- name…]`: runs the named benchmarks (all by default). Each prints its own
 * table and ratio against a baseline measured in the same run. With `PARLEY_BENCH_NODE` naming
 * another node binary, the server rows run again on that runtime (baselines too, so each ratio
 * compares like with like); the load generator stays on this one. That runtime's SQLite addon:
 * `PARLEY_BENCH_NODE_SQLITE_BINDING` (a better_sqlite3.node built for it).
 */
const benches: Record<string, (seconds: number) => Promise<unknown>> = {
  identify: benchIdentify,
  'scale-out': benchScaleOut,
  personalize: benchPersonalize,
  enrichment: benchEnrichment,
  console: benchConsoleReads,
  'rate-limit': benchRateLimits,
  disk: benchDisk,
}

const seconds = Number(process.env.PARLEY_BENCH_SECONDS ?? 10)
const wanted = process.argv.slice(2)
for (const name of wanted) {
  if (benches[name] === undefined)
    throw new Error(`unknown benchmark ${name}; known: ${Object.keys(benches).join(', ')}`)
}
const runtimes = [process.execPath, process.env.PARLEY_BENCH_NODE].filter(
  (node): node is string => node !== undefined && node !== '',
)
for (const node of runtimes) {
  // Another runtime needs better-sqlite3 built for it (see docs/performance.md).
  const binding = process.env.PARLEY_BENCH_NODE_SQLITE_BINDING
  useRuntime(
    node,
    node !== process.execPath && binding !== undefined
      ? { PARLEY_SQLITE_NATIVE_BINDING: binding }
      : {},
  )
  console.log(
    `\n# Servers on node ${execFileSync(node, ['--version']).toString().trim()} (${node})`,
  )
  for (const name of wanted.length > 0 ? wanted : Object.keys(benches)) {
    // Disk per profile does not depend on the runtime: measured once.
    if (name === 'disk' && node !== runtimes[0]) continue
    await benches[name]?.(seconds)
  }
}
