import type { IncomingMessage } from 'node:http'
import type { Readable, Transform } from 'node:stream'
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib'
import { AppError } from '../errors/app-error.ts'

/** The `Content-Encoding`s a body may arrive in, and the decoder for each. */
const decoders: Record<string, (() => Transform) | undefined> = {
  identity: undefined,
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
}

/** How much was read: `consumed` counts the bytes taken from the request, before decoding. */
export interface BodyRead {
  body: Buffer
  consumed: number
}

/**
 * Reads a request body of at most `limit` bytes **after decoding** (`gzip`, `deflate`, `br`).
 * A body that decodes past the limit is refused with 413 `payload_too_large` as soon as the
 * limit is crossed: the decoder is destroyed there, so a small compressed body that would inflate
 * to gigabytes (a zip bomb) costs at most the limit plus one decoder chunk. Data that does not
 * match its encoding is 400 `invalid_encoding`; an unknown encoding 415.
 */
export function readBody(req: IncomingMessage | Readable, limit: number): Promise<BodyRead> {
  const headers = 'headers' in req ? req.headers : {}
  const encoding = (headers['content-encoding'] ?? 'identity').trim().toLowerCase() || 'identity'
  if (!Object.hasOwn(decoders, encoding)) {
    return Promise.reject(
      new AppError(
        'unsupported_media_type',
        `Content-Encoding ${encoding} is not supported: send gzip, deflate, br or none`,
        { path: 'content-encoding' },
      ),
    )
  }
  const declared = Number(headers['content-length'] ?? Number.NaN)
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(limit))

  return readDecoded(req, decoders[encoding]?.(), limit)
}

/**
 * Reads `source` through `decoder` (none: as is), at most `limit` decoded bytes; past that it
 * rejects with 413 and destroys the decoder at once, and the rest of `source` is discarded
 * without being decoded. A decoder error is 400 `invalid_encoding`.
 */
export function readDecoded(
  req: Readable,
  decoder: Transform | undefined,
  limit: number,
): Promise<BodyRead> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let consumed = 0
    let settled = false
    const output: Readable = decoder === undefined ? req : req.pipe(decoder)

    const onSource = (chunk: Buffer) => {
      consumed += chunk.length
    }
    const finish = (error: AppError | undefined) => {
      if (settled) return
      settled = true
      if (decoder !== undefined) req.off('data', onSource)
      output.off('data', onData)
      if (decoder !== undefined) {
        req.unpipe(decoder)
        // Stops the inflation where it is: the rest of the compressed body is never decoded.
        decoder.destroy()
      }
      if (error === undefined) {
        // Without a decoder every byte taken is a byte of the body.
        resolve({
          body: Buffer.concat(chunks, size),
          consumed: decoder === undefined ? size : consumed,
        })
        return
      }
      // Discard the rest undecoded, so the answer reaches a client that is still sending.
      req.resume()
      reject(error)
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        finish(tooLarge(limit))
        return
      }
      chunks.push(chunk)
    }

    if (decoder !== undefined) req.on('data', onSource)
    output.on('data', onData)
    output.once('end', () => finish(undefined))
    req.once('aborted', () => finish(cutShort()))
    req.once('error', (error) => finish(cutShort(error)))
    decoder?.once('error', (error) => {
      finish(
        new AppError('invalid_encoding', 'The body does not match its Content-Encoding', {
          path: 'content-encoding',
          cause: error,
        }),
      )
    })
  })
}

function tooLarge(limit: number): AppError {
  return new AppError('payload_too_large', `The body is larger than ${limit} bytes`, {
    path: 'body',
  })
}

function cutShort(cause?: unknown): AppError {
  return new AppError('invalid_json', 'The body was cut short', { cause })
}
