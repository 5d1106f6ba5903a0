/**
 * What a console user may do: an `editor` publishes, rolls back and changes statuses; a
 * `viewer` looks. The admin token signs in as the operator, with an editor's rights.
 */
export const roles = ['editor', 'viewer'] as const
export type Role = (typeof roles)[number]

/** A person who signs in to the console with a name and a password, as the store keeps them. */
export interface ConsoleUser {
  /** The sign-in name: letters, digits, `_ . @ + -`, at most 100. */
  name: string
  role: Role
  /** `scrypt$N$r$p$salt$key` (see `password-hash.ts`); the password itself is never kept. */
  passwordHash: string
  createdAt: number
  updatedAt: number
}

/** A valid user name: what `parley user add` and the sign-in form accept. */
export const userNamePattern = /^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,99}$/
