import type { Express } from 'express'

interface Layer {
  rawPath?: unknown
  route?: { path: string; methods: Record<string, boolean> }
  handle?: { stack?: Layer[] }
}

/**
 * Every `METHOD path` the app's router serves (`GET /v1/admin/experiences/:id/report`), found by
 * walking Express's layers and the routers mounted in them.
 */
export function servedRoutes(app: Express): string[] {
  const routes: string[] = []
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route !== undefined) {
        for (const method of Object.keys(layer.route.methods)) {
          routes.push(`${method.toUpperCase()} ${prefix}${layer.route.path}`)
        }
      } else if (layer.handle?.stack !== undefined) {
        const mount =
          typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : ''
        walk(layer.handle.stack, prefix + mount)
      }
    }
  }
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '')
  return routes.sort()
}
