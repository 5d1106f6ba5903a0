import { Socket } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { newProfile } from '../../server/src/profile/profile.ts'
import { readProfileView } from '../../server/src/profile/profile-view.ts'
import { PostgresStore } from '../../server/src/store/postgres/postgres-store.ts'
import type { StoreReader } from '../../server/src/store/store.ts'
import { traitsToTree } from '../../server/src/traits/trait-tree.ts'
import {
  createTestSchema,
  postgresAvailable,
  recordStatements,
  type TestSchema,
} from '../helpers/postgres.ts'

/**
 * Read sessions on PostgreSQL: a profile found by a user id or a device comes with its
 * neighbourhood in the same statement, and the session's later reads of it are answered from
 * that. They must answer exactly what the plain reads answer.
 */
describe.skipIf(!postgresAvailable('the PostgreSQL read-session tests'))(
  'PostgreSQL read sessions',
  () => {
    let schema: TestSchema
    let store: PostgresStore
    let statements: string[] = []
    let stopRecording: () => void = () => undefined

    beforeEach(async () => {
      schema = await createTestSchema()
      store = await PostgresStore.open({ url: schema.url, poolSize: 2 })
      await store.transaction(async (tx) => {
        await tx.putAccount({
          id: 'acc',
          traits: traitsToTree({ name: 'Acme' }, 1),
          createdAt: 1,
          updatedAt: 1,
        })
        await tx.linkAccountKey('id:acme', 'acc')
        await tx.linkAccountKey('domain:acme.example', 'acc')
        await tx.putProfile({
          ...newProfile('p1', 'U', 1),
          account: { id: 'acc', source: 'company', at: 1 },
          traits: traitsToTree({ email: 'u@acme.example' }, 1),
        })
        await tx.putProfile(newProfile('p2', null, 1))
        await tx.linkAnonymousId('B', 'p1', 20)
        await tx.linkAnonymousId('A', 'p1', 10)
        await tx.linkAnonymousId('C', 'p2', 5)
        // A device whose profile is gone (as data imported from elsewhere might have it).
        await tx.linkAnonymousId('D', 'gone', 5)
        for (const [into, from] of [
          ['p1', null],
          ['p1', 'old'],
          ['p2', 'p1'],
        ] as const) {
          await tx.appendMergeLog({
            at: 2,
            kind: from === null ? 'identified' : 'merged',
            fromProfileId: from,
            intoProfileId: into,
            anonymousId: 'A',
            userId: 'U',
            reason: 'test',
            messageId: null,
          })
        }
      })
      ;({ statements, stop: stopRecording } = recordStatements())
    })
    afterEach(async () => {
      stopRecording()
      await store.close()
      await schema.drop()
    })

    /** Everything the admin lookup and the console read about the profile a key names. */
    const everything = async (reader: StoreReader, by: 'user' | 'device', key: string) => {
      const id =
        by === 'user'
          ? await reader.profileIdByUserId(key)
          : await reader.profileIdByAnonymousId(key)
      if (id === undefined) return undefined
      return {
        id,
        view: await readProfileView(reader, id),
        anonymousIds: await reader.anonymousIds(id),
        mergeLog: await reader.mergeLog(id),
        accountKeys: await reader.accountKeys('acc'),
        account: await reader.account('acc'),
        other: await reader.profile('p2'),
      }
    }

    it.each([
      ['user', 'U'],
      ['device', 'A'],
      ['device', 'C'],
      ['device', 'D'],
      ['user', 'nobody'],
      ['device', 'nowhere'],
    ] as const)('answers what the plain reads answer (by %s %s)', async (by, key) => {
      // Inside a write transaction the reads are the plain ones, statement by statement.
      const plain = await store.transaction((tx) => everything(tx, by, key))
      expect(await store.read((reader) => everything(reader, by, key))).toEqual(plain)
    })

    const lookUp = (userId: string) =>
      store.read(async (reader) => {
        const id = await reader.profileIdByUserId(userId)
        return id === undefined ? undefined : readProfileView(reader, id)
      })

    /** Runs `work`, recording what every socket of this process writes: a string per write. */
    const socketWrites = async (work: () => Promise<unknown>): Promise<string[]> => {
      const writes: string[] = []
      const record = (method: '_write' | '_writev') => {
        const original = Reflect.get(Socket.prototype, method) as (...args: unknown[]) => unknown
        Reflect.set(Socket.prototype, method, function (this: Socket, ...args: unknown[]) {
          const chunks =
            method === '_writev' ? (args[0] as { chunk: Buffer }[]).map((c) => c.chunk) : [args[0]]
          writes.push(Buffer.concat(chunks as Buffer[]).toString('latin1'))
          return original.apply(this, args)
        })
        return () => Reflect.set(Socket.prototype, method, original)
      }
      const restore = [record('_write'), record('_writev')]
      try {
        await work()
      } finally {
        for (const undo of restore) undo()
      }
      return writes
    }

    it("reads a profile's whole view in one statement, BEGIN sent with it and COMMIT after the answer", async () => {
      const view = await lookUp('U')
      expect(view?.anonymousIds).toEqual(['A', 'B'])
      expect(view?.account?.keys).toEqual(['id:acme', 'domain:acme.example'])
      expect(view?.mergeLog).toHaveLength(3)
      expect(statements).toEqual([
        'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
        'SELECT parley_profile_neighbourhood($1, $2) AS found',
      ])
      // Nobody takes the connection: its COMMIT goes out on its own, within the 20 ms bound.
      await new Promise((done) => setTimeout(done, 60))
      expect(statements.at(-1)).toBe('COMMIT')
    })

    it('sends BEGIN and the first read to PostgreSQL in one write', async () => {
      const writes = await socketWrites(async () => expect((await lookUp('U'))?.userId).toBe('U'))
      // This store's connections are new, so each statement's text goes out once, when parsed.
      const begin = writes.filter((write) => write.includes('BEGIN ISOLATION LEVEL REPEATABLE'))
      expect(begin).toHaveLength(1)
      expect(begin[0]).toContain('parley_profile_neighbourhood')
    })

    it("sends a finished read's COMMIT in the same write as the connection's next read", async () => {
      await lookUp('U')
      const writes = await socketWrites(async () => expect((await lookUp('U'))?.userId).toBe('U'))
      // The COMMIT leaves in one write with the next statement's Bind (BEGIN, parsed already, is
      // sent by name). That next statement is the read's, or the set-up's change notification
      // when it takes the connection first: either way not a write of its own.
      const withCommit = writes.filter((write) => write.includes('COMMIT'))
      expect(withCommit).toHaveLength(1)
      expect(withCommit[0]).toMatch(/^Q\0{3}.COMMIT\0B/su)
      expect(statements).toEqual([
        'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
        'SELECT parley_profile_neighbourhood($1, $2) AS found',
        'COMMIT',
        'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
        'SELECT parley_profile_neighbourhood($1, $2) AS found',
      ])
    })

    it('writes and prunes on a connection whose read left its COMMIT owing', async () => {
      await lookUp('U')
      // Both would fail inside the read's READ ONLY transaction.
      await store.transaction((tx) => tx.putProfile(newProfile('p3', 'V', 3)))
      expect(await store.pruneMessages(Date.now())).toBe(0)
      expect((await lookUp('V'))?.id).toBe('p3')
    })

    it('sends nothing, not even BEGIN, for a read session that reads nothing', async () => {
      expect(await store.read(async () => 'nothing read')).toBe('nothing read')
      expect(statements).toEqual([])
    })
  },
)
