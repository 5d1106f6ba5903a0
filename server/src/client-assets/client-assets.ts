import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { buildBundle } from './build-bundle.ts'
import { staticAsset, type StaticAsset } from './static-asset.ts'

const root = resolve(import.meta.dirname, '../../..')
const javascript = 'application/javascript; charset=utf-8'

/** The browser files the container serves, built once per process. */
export interface ClientAssets {
  client: StaticAsset
  loader: StaticAsset
  /** `client.<hash>.js`: the content-versioned name the loader asks for. */
  clientFile: string
}

let built: ClientAssets | undefined

/**
 * Bundles `client/src` with esbuild the first time it is asked (at container start), then
 * returns the same assets: the loader embeds the client's versioned file name, so the client is
 * built first.
 */
export function clientAssets(): ClientAssets {
  if (built !== undefined) return built
  const version = (
    JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { version: string }
  ).version
  const client = staticAsset(
    buildBundle(resolve(root, 'client/src/client.ts'), {
      PARLEY_VERSION: JSON.stringify(version),
    }),
    javascript,
  )
  const clientFile = `client.${client.hash}.js`
  const loader = staticAsset(
    buildBundle(resolve(root, 'client/src/loader.ts'), {
      PARLEY_CLIENT_FILE: JSON.stringify(clientFile),
    }),
    javascript,
  )
  built = { client, loader, clientFile }
  return built
}
