import { createHash } from 'node:crypto'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'

/** A file served from memory, with its compressed forms made once at start. */
export interface StaticAsset {
  body: Buffer
  gzip: Buffer
  brotli: Buffer
  /** Strong validator: a hash of the content, quoted as the ETag header wants. */
  etag: string
  /** The first 10 hex digits of the content's SHA-256, for content-versioned file names. */
  hash: string
  contentType: string
}

/** Builds a `StaticAsset` from text, compressing it with gzip -9 and brotli at its best quality. */
export function staticAsset(text: string, contentType: string): StaticAsset {
  const body = Buffer.from(text, 'utf8')
  const digest = createHash('sha256').update(body).digest('hex')
  return {
    body,
    gzip: gzipSync(body, { level: 9 }),
    brotli: brotliCompressSync(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    }),
    etag: `"${digest.slice(0, 32)}"`,
    hash: digest.slice(0, 10),
    contentType,
  }
}
