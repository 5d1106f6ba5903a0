import { randomBytes } from 'node:crypto'
import type { Role } from '../console-users/console-user.ts'
import { addUser, removeUser } from '../console-users/manage-users.ts'
import { AppError } from '../errors/app-error.ts'
import { redactDatabaseUrl } from '../store/open-store.ts'
import { exitCode, type CliIo } from './cli-io.ts'
import { withStore, type StoreConfig } from './with-store.ts'

/** Who the audit log names for a change made with `parley user`. */
export const userCommandActor = 'operator (parley user)'

/**
 * `parley user add NAME --role editor|viewer [--password-stdin] [--replace]`: adds a console
 * user (or with `--replace` gives an existing one a new role and password, ending their
 * sessions). The password comes from stdin, or is generated and printed once.
 */
export async function userAddCommand(
  config: StoreConfig,
  io: CliIo,
  options: { name: string; role: Role; passwordFromStdin: boolean; replace: boolean },
): Promise<number> {
  const generated = options.passwordFromStdin ? undefined : randomBytes(18).toString('base64url')
  const password = generated ?? (await io.readStdin()).replace(/\r?\n$/, '')
  return withStore(config, async (store) => {
    try {
      await addUser(store, {
        name: options.name,
        role: options.role,
        password,
        actor: userCommandActor,
        at: Date.now(),
        replace: options.replace,
      })
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error
      io.err(`parley user add: ${error.message}; nothing was changed`)
      return exitCode.failed
    }
    io.out(
      `${options.replace ? 'updated' : 'added'} ${options.name} (${options.role}) in ${redactDatabaseUrl(config.databaseUrl)}`,
    )
    if (generated !== undefined)
      io.out(`password: ${generated} (shown once: give it to ${options.name})`)
    return exitCode.ok
  })
}

/** `parley user remove NAME`: removes a console user; their sessions end at once. */
export async function userRemoveCommand(
  config: StoreConfig,
  io: CliIo,
  name: string,
): Promise<number> {
  return withStore(config, async (store) => {
    const removed = await removeUser(store, { name, actor: userCommandActor, at: Date.now() })
    if (!removed) {
      io.err(`parley user remove: there is no user named ${name}`)
      return exitCode.failed
    }
    io.out(`removed ${name}; their console sessions have ended`)
    return exitCode.ok
  })
}

/** `parley user list`: every console user with their role, one a line. */
export async function userListCommand(config: StoreConfig, io: CliIo): Promise<number> {
  return withStore(config, async (store) => {
    const users = await store.read((reader) => reader.consoleUsers())
    if (users.length === 0)
      io.err('no console users yet: add one with parley user add NAME --role editor')
    for (const user of users) {
      io.out(`${user.name}\t${user.role}\tsince ${new Date(user.createdAt).toISOString()}`)
    }
    return exitCode.ok
  })
}
