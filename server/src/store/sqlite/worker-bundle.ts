import { createHash } from 'node:crypto'
import { existsSync, renameSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildSync } from 'esbuild'

let built: string | undefined

/**
 * The SQLite worker (`sqlite-worker.ts`) bundled into one plain CommonJS file, built once per
 * process with esbuild and kept in the OS temp folder under the hash of its content. A worker
 * thread starts without the parent's TypeScript loader; teaching it TypeScript (tsx) would cost
 * about half a second per store, this file about 30 ms. better-sqlite3 stays outside the bundle,
 * required by its absolute path (it loads a native addon next to itself).
 */
export function sqliteWorkerFile(): string {
  if (built !== undefined) return built
  const betterSqlite = createRequire(import.meta.url).resolve('better-sqlite3')
  const result = buildSync({
    entryPoints: [fileURLToPath(new URL('./sqlite-worker.ts', import.meta.url))],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    external: ['better-sqlite3'],
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
  built = file
  return file
}
