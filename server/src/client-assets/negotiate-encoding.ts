/** A content coding the container can send. */
export type Encoding = 'br' | 'gzip' | 'identity'

/**
 * Picks the best coding the client accepts from an `Accept-Encoding` header: brotli, then gzip,
 * else none. A coding with `q=0` is refused; `*` stands for any coding not named.
 */
export function negotiateEncoding(header: string | undefined): Encoding {
  const accepted = new Map<string, number>()
  for (const part of (header ?? '').split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';')
    if (name === '') continue
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
    const weight = q === undefined ? 1 : Number(q.slice(2))
    accepted.set(name, Number.isFinite(weight) ? weight : 0)
  }
  const weightOf = (name: string): number => accepted.get(name) ?? accepted.get('*') ?? 0
  const br = weightOf('br')
  const gzip = weightOf('gzip')
  if (br > 0 && br >= gzip) return 'br'
  if (gzip > 0) return 'gzip'
  return 'identity'
}
