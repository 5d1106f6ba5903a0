import { createHash } from 'node:crypto'
import { AppError } from '../errors/app-error.ts'
import type { Store, StoreReader } from '../store/store.ts'
import { roles, userNamePattern, type ConsoleUser, type Role } from './console-user.ts'
import { hashPassword, minimumPasswordLength, verifyPassword } from './password-hash.ts'

/** Who is signed in to the console: a person, or the operator (the admin token). */
export interface Person {
  name: string
  role: Role
  kind: 'user' | 'operator'
}

/** The admin token signs in as this person, with an editor's rights (as before users existed). */
export const operator: Person = { name: 'operator', role: 'editor', kind: 'operator' }

/**
 * A short fingerprint of a user's password hash, carried in their session: a new password (or
 * removing and adding the user again) changes it, and so ends their sessions everywhere.
 */
export function userStamp(user: ConsoleUser): string {
  return createHash('sha256').update(user.passwordHash).digest('base64url').slice(0, 16)
}

/** The user whose name and password these are, or undefined (unknown name, wrong password). */
export async function authenticate(
  reader: StoreReader,
  name: string,
  password: string,
): Promise<ConsoleUser | undefined> {
  const user = userNamePattern.test(name) ? await reader.consoleUser(name) : undefined
  const ok = await verifyPassword(password, user?.passwordHash)
  return ok ? user : undefined
}

/** Why a name, role or password cannot be used; undefined when they can. */
export function userProblem(name: string, role: string, password: string): string | undefined {
  if (!userNamePattern.test(name)) {
    return 'a user name is 1 to 100 letters, digits or _ . @ + -, starting with a letter or digit'
  }
  if (!(roles as readonly string[]).includes(role)) return `the role is one of ${roles.join(', ')}`
  if (password.length < minimumPasswordLength) {
    return `a password has at least ${minimumPasswordLength} characters`
  }
  return undefined
}

/**
 * Adds a console user, or with `replace` changes an existing one's role and password (which ends
 * their sessions); recorded in the audit log. The password is hashed before the transaction.
 */
export async function addUser(
  store: Pick<Store, 'transaction'>,
  input: {
    name: string
    role: Role
    password: string
    actor: string
    at: number
    replace?: boolean
  },
): Promise<ConsoleUser> {
  const problem = userProblem(input.name, input.role, input.password)
  if (problem !== undefined) throw new AppError('invalid_field', problem)
  const passwordHash = await hashPassword(input.password)
  return store.transaction(async (tx) => {
    const existing = await tx.consoleUser(input.name)
    if (existing !== undefined && input.replace !== true) {
      throw new AppError('invalid_field', `a user named ${input.name} exists already`)
    }
    const user: ConsoleUser = {
      name: input.name,
      role: input.role,
      passwordHash,
      createdAt: existing?.createdAt ?? input.at,
      updatedAt: input.at,
    }
    await tx.putConsoleUser(user)
    await tx.appendAuditEntry({
      at: input.at,
      actor: input.actor,
      action: existing === undefined ? 'user.add' : 'user.update',
      fromVersion: null,
      toVersion: null,
      subject: input.name,
      summary:
        existing === undefined
          ? `added ${input.name} as ${input.role}`
          : `changed ${input.name}: ${existing.role === input.role ? '' : `role ${existing.role} → ${input.role}, `}new password`,
    })
    return user
  })
}

/** Removes a console user (their sessions end at once); false when there was none. */
export function removeUser(
  store: Pick<Store, 'transaction'>,
  input: { name: string; actor: string; at: number },
): Promise<boolean> {
  return store.transaction(async (tx) => {
    const user = await tx.consoleUser(input.name)
    if (user === undefined) return false
    await tx.deleteConsoleUser(input.name)
    await tx.appendAuditEntry({
      at: input.at,
      actor: input.actor,
      action: 'user.remove',
      fromVersion: null,
      toVersion: null,
      subject: input.name,
      summary: `removed ${input.name} (${user.role})`,
    })
    return true
  })
}
