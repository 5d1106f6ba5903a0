import { statSync } from 'node:fs'

/**
 * A file's size and modification time, or `missing`: a change in either means "read it again".
 * Watches poll this rather than use `fs.watch`, which misses files that deploy tools replace.
 */
export function fileStamp(file: string): string {
  try {
    const stat = statSync(file)
    return `${stat.size}:${stat.mtimeMs}`
  } catch {
    return 'missing'
  }
}
