import { createHash } from 'node:crypto'
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
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
 * The SQLite worker (`sqlite-worker.ts`) bundled into one plain CommonJS file, built once per
 * process with esbuild (when this module loads) and kept in the OS temp folder under the hash of
 * its content. A worker thread starts without the parent's TypeScript loader; teaching it
 * TypeScript (tsx) would cost about half a second per store, this file about 50 ms once.
 * better-sqlite3 stays outside the bundle, required by its absolute path (it loads a native
 * addon next to itself).
 */
const built = await buildWorker()

/** The bundled worker's path. */
export function sqliteWorkerFile(): string {
  return built
}

async function buildWorker(): Promise<string> {
  const betterSqlite = createRequire(import.meta.url).resolve('better-sqlite3')
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./sqlite-worker.ts', import.meta.url))],
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
  if (!bundled.includes(external)) throw new Error('esbuild produced no SQLite worker')
  const code = bundled.replaceAll(external, `require(${JSON.stringify(betterSqlite)})`)
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16)
  const file = join(tmpdir(), `parley-sqlite-worker-${hash}.cjs`)
  if (!existsSync(file)) {
    // Written aside, then renamed: a process starting at the same moment never reads half a file.
    const partial = `${file}.${process.pid}.tmp`
    writeFileSync(partial, code)
    renameSync(partial, file)
  }
  return file
}
