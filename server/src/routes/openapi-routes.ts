import { Router } from 'express'
import { buildOpenApi } from '../openapi/build-openapi.ts'

/** `GET /openapi.json`: the OpenAPI 3.1 description of this container, built once. */
export function openApiRoutes(options: { production: boolean }): Router {
  const router = Router()
  let document: string | undefined
  router.get('/openapi.json', (_req, res) => {
    document ??= JSON.stringify(buildOpenApi(options))
    res.type('application/json').send(document)
  })
  return router
}
