import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { Router } from 'express'
import { sendAsset } from '../client-assets/send-asset.ts'
import { staticAsset, type StaticAsset } from '../client-assets/static-asset.ts'

const demoDir = resolve(import.meta.dirname, '../../../client/demo')

/** URL path -> file in `client/demo` and its content type. */
const pages: Record<string, [file: string, type: string]> = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/pricing': ['pricing.html', 'text/html; charset=utf-8'],
  '/demo/demo.js': ['demo.js', 'application/javascript; charset=utf-8'],
  '/demo/demo.css': ['demo.css', 'text/css; charset=utf-8'],
}

/**
 * The demo site (a product page with personalised slots and a fake login, a pricing page),
 * read once at start. Mounted outside production only: a live site has its own pages.
 */
export function demoRoutes(): Router {
  const router = Router()
  for (const [path, [file, type]] of Object.entries(pages)) {
    const asset: StaticAsset = staticAsset(readFileSync(resolve(demoDir, file), 'utf8'), type)
    router.get(path, (req, res) => sendAsset(req, res, asset, 'revalidate'))
  }
  return router
}
