import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Personalizer } from '../../server/src/personalization/personalizer.ts'

/**
 * Imports a module of another checkout's `server/src` (`root`, with `node_modules` linked in),
 * so a bench can measure that checkout's code the same way as this one's.
 */
export function rootLoader(root: string): (path: string) => Promise<unknown> {
  return (path) => import(pathToFileURL(join(root, 'server/src', path)).href)
}

/** The root's `Personalizer` over the root's demo config, on the wall clock. */
export async function demoPersonalizer(root: string): Promise<Personalizer> {
  const load = rootLoader(root)
  const { Personalizer } = (await load(
    'personalization/personalizer.ts',
  )) as typeof import('../../server/src/personalization/personalizer.ts')
  const { PersonalizationEngine } = (await load(
    'personalization/engine.ts',
  )) as typeof import('../../server/src/personalization/engine.ts')
  const { readPersonalizationConfig } = (await load(
    'personalization/load-config.ts',
  )) as typeof import('../../server/src/personalization/load-config.ts')
  return new Personalizer(
    new PersonalizationEngine(readPersonalizationConfig(join(root, 'config/parley.demo.yaml'))),
    Date.now,
  )
}
