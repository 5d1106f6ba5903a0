import { benchDisk } from './disk-per-profile.ts'
import { benchIdentify } from './identify-throughput.ts'
import { benchScaleOut } from './scale-out.ts'
import { benchPersonalize } from './personalize.ts'

/**
 * `npm run bench [-- name…]`: runs the named benchmarks (all by default). Each prints its own
 * table and ratio against a baseline measured in the same run.
 */
const benches: Record<string, (seconds: number) => Promise<unknown>> = {
  identify: benchIdentify,
  'scale-out': benchScaleOut,
  personalize: benchPersonalize,
  disk: benchDisk,
}

const seconds = Number(process.env.PARLEY_BENCH_SECONDS ?? 10)
const wanted = process.argv.slice(2)
for (const name of wanted.length > 0 ? wanted : Object.keys(benches)) {
  const bench = benches[name]
  if (bench === undefined)
    throw new Error(`unknown benchmark ${name}; known: ${Object.keys(benches).join(', ')}`)
  await bench(seconds)
}
