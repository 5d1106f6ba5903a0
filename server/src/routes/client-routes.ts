import { Router } from 'express'
import { clientAssets } from '../client-assets/client-assets.ts'
import { sendAsset } from '../client-assets/send-asset.ts'

const versioned = /^client\.([0-9a-f]{10})\.js$/

/**
 * The browser scripts: `/parley/loader.js` (the stub, short cache), `/parley/client.js` (short
 * cache) and `/parley/client.<hash>.js` (cached for a year). A versioned name from an older
 * deploy still gets the current client, with the short cache, so old pages keep working.
 */
export function clientRoutes(): Router {
  const assets = clientAssets()
  const router = Router()
  router.get('/parley/:file', (req, res, next) => {
    const file = req.params.file
    if (file === 'loader.js') return sendAsset(req, res, assets.loader, 'short')
    if (file === 'client.js') return sendAsset(req, res, assets.client, 'short')
    const hash = versioned.exec(file)?.[1]
    if (hash === undefined) return next()
    sendAsset(req, res, assets.client, hash === assets.client.hash ? 'immutable' : 'short')
  })
  return router
}
