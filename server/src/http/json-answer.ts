import type { Response } from 'express'

/**
 * The app's `res.json`: the body as UTF-8 JSON with its length, and none of what Express's
 * generic `send` works out for other bodies on every answer (charset parsing, ETags, freshness),
 * since the container's answers are never cached (`Cache-Control: no-store`). A HEAD request
 * gets the headers only. `onBody` sees each body first (the metrics count its warnings).
 */
export function jsonAnswer(
  onBody: (body: unknown) => void,
): (this: Response, body: unknown) => Response {
  return function json(this: Response, body: unknown): Response {
    onBody(body)
    const text = JSON.stringify(body) ?? ''
    this.setHeader('Content-Type', 'application/json; charset=utf-8')
    this.setHeader('Content-Length', Buffer.byteLength(text))
    if (this.req.method === 'HEAD') this.end()
    else this.end(text)
    return this
  }
}
