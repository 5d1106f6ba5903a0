/*
 * Where the editor shows a problem the loader found. Each field of a form carries the path of
 * the value it edits, in the loader's keys (`['segments', 0, 'rule', 'all', 1, 'value']`); an
 * issue goes to the field with its exact path, else to the field of its nearest enclosing value
 * (a list item's problem to the list's text box). Pure.
 */

/** A path in the loader's keys and indexes (an issue's `at`). */
export type IssuePath = readonly (string | number)[]

/** One problem of a config, as `POST /console/api/validate` answers it. */
export interface ConfigIssue {
  path: string
  at: (string | number)[]
  message: string
}

/** Whether `prefix` is `path` or encloses it. */
export function encloses(prefix: IssuePath, path: IssuePath): boolean {
  return prefix.length <= path.length && prefix.every((key, index) => key === path[index])
}

/**
 * The index in `fields` of the field an issue at `at` belongs to: the exact path, else the
 * longest enclosing one; -1 when no field encloses it.
 */
export function fieldForIssue(at: IssuePath, fields: readonly IssuePath[]): number {
  let best = -1
  let bestLength = -1
  fields.forEach((field, index) => {
    if (field.length > bestLength && encloses(field, at)) {
      best = index
      bestLength = field.length
    }
  })
  return best
}

/** A path as text, for a field's `data-path` attribute. */
export function pathKey(path: IssuePath): string {
  return JSON.stringify(path)
}

/** The issues at or under `prefix` (one item's), and the rest. */
export function splitIssues(
  issues: readonly ConfigIssue[],
  prefix: IssuePath,
): { inside: ConfigIssue[]; outside: ConfigIssue[] } {
  const inside: ConfigIssue[] = []
  const outside: ConfigIssue[] = []
  for (const issue of issues) (encloses(prefix, issue.at) ? inside : outside).push(issue)
  return { inside, outside }
}
