import { buildSync } from 'esbuild'

/**
 * Bundles one browser entry file into a minified IIFE with esbuild. `define` replaces build-time
 * constants (their values are JSON text). Targets browsers from 2021 on (Safari 15).
 */
export function buildBundle(entry: string, define: Record<string, string>): string {
  const result = buildSync({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2020', 'safari15'],
    platform: 'browser',
    define,
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
  })
  const file = result.outputFiles[0]
  if (file === undefined) throw new Error(`esbuild produced no output for ${entry}`)
  return file.text
}
