import type { RequestHandler } from 'express'
import type { Role } from '../console-users/console-user.ts'
import { AppError } from '../errors/app-error.ts'
import type { Session } from './session.ts'

/**
 * Lets a request through only when the signed-in person has `role` (an editor may do what a
 * viewer may; the operator is an editor); else `insufficient_role` (403). Enforced here, at the
 * server, whatever a page shows or hides.
 */
export function requireRole(role: Role): RequestHandler {
  return (_req, res, next) => {
    const person = (res.locals.session as Session | undefined)?.person
    if (person !== undefined && (role === 'viewer' || person.role === 'editor')) return next()
    next(
      new AppError(
        'insufficient_role',
        `${person?.name ?? 'This session'} is a ${person?.role ?? 'viewer'}: only an editor may make this change`,
      ),
    )
  }
}
