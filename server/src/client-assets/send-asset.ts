import type { Request, Response } from 'express'
import { negotiateEncoding } from './negotiate-encoding.ts'
import type { StaticAsset } from './static-asset.ts'

/**
 * Cache policy: `short` for stable script URLs (5 minutes, then revalidate), `immutable` for
 * versioned ones, `revalidate` for pages (always asked again, answered 304 when unchanged).
 */
export type CachePolicy = 'short' | 'immutable' | 'revalidate'

const cacheControl: Record<CachePolicy, string> = {
  short: 'public, max-age=300, must-revalidate',
  revalidate: 'no-cache',
  immutable: 'public, max-age=31536000, immutable',
}

/**
 * Sends an in-memory asset with its ETag (304 when the browser's copy is current), the cache
 * policy, and the best compression the browser accepts. Express's own ETag is off for these:
 * the asset's hash is already strong.
 */
export function sendAsset(
  req: Request,
  res: Response,
  asset: StaticAsset,
  policy: CachePolicy,
): void {
  res.set({
    'Content-Type': asset.contentType,
    'Cache-Control': cacheControl[policy],
    ETag: asset.etag,
    Vary: 'Accept-Encoding',
    // Scripts are fetched by other sites' pages when the container is on its own host.
    'Cross-Origin-Resource-Policy': 'cross-origin',
  })
  const known = (req.headers['if-none-match'] ?? '').split(',').map((tag) => tag.trim())
  if (known.includes(asset.etag) || known.includes(`W/${asset.etag}`)) {
    res.status(304).end()
    return
  }
  const encoding = negotiateEncoding(req.headers['accept-encoding'])
  const body = encoding === 'br' ? asset.brotli : encoding === 'gzip' ? asset.gzip : asset.body
  if (encoding !== 'identity') res.set('Content-Encoding', encoding)
  res.set('Content-Length', String(body.length))
  res.status(200).end(req.method === 'HEAD' ? undefined : body)
}
