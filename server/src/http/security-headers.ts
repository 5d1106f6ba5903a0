import type { RequestHandler } from 'express'

/** Paths that answer JSON or text only, never a page that loads anything. */
const apiPath = /^\/(v1\/|healthz$|readyz$|metrics$)/

/**
 * Headers every answer carries: JSON is never sniffed as HTML, never framed, and never cached by
 * a shared proxy (it may hold a visitor's data). API answers also get a CSP that lets nothing
 * load; pages (the demo) and scripts set their own caching and need their scripts.
 */
export const securityHeaders: RequestHandler = (req, res, next) => {
  // Node's own setHeader: Express's res.set would examine every value for a charset.
  res.setHeader('X-Content-Type-Options', 'nosniff')
  res.setHeader('X-Frame-Options', 'DENY')
  res.setHeader('Referrer-Policy', 'strict-origin-when-cross-origin')
  res.setHeader('Cache-Control', 'no-store')
  if (apiPath.test(req.path)) {
    res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'")
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin')
  }
  if (req.secure) res.setHeader('Strict-Transport-Security', 'max-age=31536000')
  next()
}
