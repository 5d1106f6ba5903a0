import type { Impact } from './api.ts'
import { h } from './dom.ts'

/**
 * What a change does to visitors, as the server says it: one line per impact, the ones that
 * move visitors who already have a variation marked; `none` when there is none.
 */
export function impactList(impacts: readonly Impact[], none: string): HTMLElement {
  if (impacts.length === 0) return h('p', {}, none)
  return h(
    'ul',
    {},
    impacts.map((impact) =>
      h('li', { class: impact.movesRecordedVisitors ? 'error' : '' }, impact.message),
    ),
  )
}
