import type { RequestHandler } from 'express'

/** Paths that answer JSON or text only, never a page that loads anything. */
const apiPath = /^\/(v1\/|healthz$|readyz$|metrics$)/

/**
 * Headers every answer carries: JSON is never sniffed as HTML, never framed, and never cached by
 * a shared proxy (it may hold a visitor's data). API answers also get a CSP that lets nothing
 * load; pages (the demo) and scripts set their own caching and need their scripts.
 */
export const securityHeaders: RequestHandler = (req, res, next) => {
  res.set({
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
    'Cache-Control': 'no-store',
  })
  if (apiPath.test(req.path)) {
    res.set({
      'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
      'Cross-Origin-Opener-Policy': 'same-origin',
    })
  }
  if (req.secure) res.set('Strict-Transport-Security', 'max-age=31536000')
  next()
}
