import { readFileSync } from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string }
  hitCount?: number
}

/** Where a V8 CPU profile's samples fall, grouped into the parts a reader cares about. */
export function summarizeProfile(file: string): { busyMs: number; parts: [string, number][] } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: ProfileNode[]
    startTime: number
    endTime: number
    samples: number[]
    timeDeltas: number[]
  }
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const totals = new Map<string, number>()
  let busy = 0
  profile.samples.forEach((id, index) => {
    const node = byId.get(id)
    const delta = (profile.timeDeltas[index + 1] ?? profile.timeDeltas[index] ?? 0) / 1000
    if (node === undefined) return
    const part = partOf(node.callFrame)
    if (part === 'idle') return
    busy += delta
    totals.set(part, (totals.get(part) ?? 0) + delta)
  })
  const parts = [...totals].sort((a, b) => b[1] - a[1])
  return { busyMs: busy, parts }
}

function partOf(frame: { functionName: string; url: string }): string {
  const { functionName, url } = frame
  if (functionName === '(idle)' || functionName === '(program)') return 'idle'
  if (functionName === '(garbage collector)') return 'garbage collection'
  if (url === '' && functionName !== '') return `native: ${functionName}`.slice(0, 60)
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (match?.[1] !== undefined) return `npm: ${match[1]}`
  if (url.startsWith('node:internal/')) {
    return `node: ${url.slice('node:internal/'.length).split('/').slice(0, 2).join('/')}`
  }
  if (url.startsWith('node:')) return `node: ${url.slice(5)}`
  const source = /server\/src\/([^/]+)/.exec(url)
  if (source?.[1] !== undefined) return `server/src/${source[1]}`
  const thread = /parley-(sqlite|checkpoint)-worker-/.exec(url)?.[1]
  if (thread !== undefined) {
    return `${thread === 'sqlite' ? 'SQLite' : 'checkpoint'} worker: ${functionName || '(anonymous)'}`
  }
  return url === '' ? '(unknown)' : url.split('/').slice(-2).join('/')
}
