import { describe, expect, it } from 'vitest'
import { clientAssets } from '../../server/src/client-assets/client-assets.ts'

/** Budgets in bytes, minified and gzipped (gzip -9), as the issue sets them. */
const budgets = { loader: 1024, client: 5 * 1024 }

describe('browser bundle sizes', () => {
  it('keeps the loader within 1 KB and the client within 5 KB, min+gzip', () => {
    const assets = clientAssets()
    const sizes = {
      loader: { minified: assets.loader.body.length, gzip: assets.loader.gzip.length },
      client: { minified: assets.client.body.length, gzip: assets.client.gzip.length },
    }
    console.log(
      `bundle sizes (min / min+gzip, budget): loader ${sizes.loader.minified} B / ${sizes.loader.gzip} B (<= ${budgets.loader}), ` +
        `client ${sizes.client.minified} B / ${sizes.client.gzip} B (<= ${budgets.client})`,
    )
    expect(sizes.loader.gzip).toBeLessThanOrEqual(budgets.loader)
    expect(sizes.client.gzip).toBeLessThanOrEqual(budgets.client)
  })

  it('ships no source maps, comments or module syntax', () => {
    for (const asset of [clientAssets().loader, clientAssets().client]) {
      const text = asset.body.toString('utf8')
      expect(text).not.toMatch(/sourceMappingURL|^\s*import |\bexport\b/m)
      expect(text.startsWith('"use strict";(()=>{')).toBe(true)
    }
  })
})
