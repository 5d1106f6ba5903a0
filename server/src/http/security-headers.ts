import type { RequestHandler } from 'express'

/**
 * Headers every answer carries: JSON is never sniffed as HTML, never framed, and never cached by
 * a shared proxy (it may hold a visitor's data).
 */
export const securityHeaders: RequestHandler = (_req, res, next) => {
  res.set({
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
    'Cache-Control': 'no-store',
  })
  next()
}
