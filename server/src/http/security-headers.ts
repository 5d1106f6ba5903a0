import type { RequestHandler } from 'express'

/**
 * Headers every answer carries: JSON is never sniffed as HTML, never framed, and never cached by
 * a shared proxy (it may hold a visitor's data).
 */
export const securityHeaders: RequestHandler = (req, res, next) => {
  res.set({
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
    'Cache-Control': 'no-store',
    // The container answers JSON, never a page: nothing it sends may load or frame anything.
    'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
    'Cross-Origin-Opener-Policy': 'same-origin',
  })
  if (req.secure) res.set('Strict-Transport-Security', 'max-age=31536000')
  next()
}
