import type { z } from 'zod'
import { AppError } from '../errors/app-error.ts'
import { joinPath } from './inspect-json.ts'

/**
 * Parses with a zod schema, or throws `invalid_field` naming the first bad path
 * (`batch[3].userId: expected string`).
 */
export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  path: string,
): z.output<S> {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const issue = result.error.issues[0]
  const issuePath = (issue?.path ?? []).reduce<string>(
    (acc, key) => joinPath(acc, typeof key === 'number' ? key : String(key)),
    path,
  )
  const where = issuePath === '' ? 'body' : issuePath
  throw new AppError('invalid_field', `${where}: ${issue?.message ?? 'invalid value'}`, {
    path: where,
  })
}
