import { createHash } from 'node:crypto'
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build, type Plugin } from 'esbuild'

/**
 * A CommonJS bundle has no `import.meta`: each module's `import.meta.dirname` and `url` become
 * the literal location of its source file (the free-mail list is read next to its module).
 */
const moduleLocations: Plugin = {
  name: 'module-locations',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => ({
      loader: 'ts',
      contents: readFileSync(args.path, 'utf8')
        .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)))
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
    }))
  },
}

/**
 * The SQLite threads' code, each entry bundled into one plain CommonJS file, built once per
 * process with esbuild (when this module loads) and kept in the OS temp folder under the hash of
 * its content: the writer (`sqlite-worker.ts`) and the checkpointer (`checkpoint-worker.ts`). A
 * worker thread starts without the parent's TypeScript loader; teaching it TypeScript (tsx)
 * would cost about half a second per store, these files about 50 ms each once. better-sqlite3
 * stays outside the bundle, required by its absolute path (it loads a native addon next to
 * itself).
 */
const [writer, checkpointer] = await Promise.all([
  buildWorker('./sqlite-worker.ts'),
  buildWorker('./checkpoint-worker.ts'),
])

/** The bundled writer thread's path. */
export function sqliteWorkerFile(): string {
  return writer
}

/** The bundled checkpointer thread's path. */
export function checkpointWorkerFile(): string {
  return checkpointer
}

/**
 * The flags a bundled thread starts with: plain JavaScript needs none of the parent's loader
 * flags (tsx, vitest); a profiler the process runs under (`--cpu-prof`) profiles it too.
 */
export function workerExecArgv(): string[] {
  return process.execArgv.filter((flag) => flag.startsWith('--cpu-prof'))
}

async function buildWorker(entry: string): Promise<string> {
  const betterSqlite = createRequire(import.meta.url).resolve('better-sqlite3')
  const result = await build({
    entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    external: ['better-sqlite3'],
    plugins: [moduleLocations],
  })
  const bundled = result.outputFiles[0]?.text ?? ''
  const external = 'require("better-sqlite3")'
  if (!bundled.includes(external)) throw new Error(`esbuild produced no bundle of ${entry}`)
  const code = bundled.replaceAll(external, `require(${JSON.stringify(betterSqlite)})`)
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16)
  // Named for its entry, so a CPU profile tells the threads apart (bench/lib/summarize-profile.ts).
  const file = join(tmpdir(), `parley-${basename(entry, '.ts')}-${hash}.cjs`)
  if (!existsSync(file)) {
    // Written aside, then renamed: a process starting at the same moment never reads half a file.
    const partial = `${file}.${process.pid}.tmp`
    writeFileSync(partial, code)
    renameSync(partial, file)
  }
  return file
}
