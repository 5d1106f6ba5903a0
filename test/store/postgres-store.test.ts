import { describe, expect, it } from 'vitest'
import { PostgresStore } from '../../server/src/store/postgres/postgres-store.ts'
import type { Store } from '../../server/src/store/store.ts'
import { createTestSchema, postgresAvailable, type TestSchema } from '../helpers/postgres.ts'
import { describeStoreContract } from './store-contract.ts'

const schemas = new WeakMap<Store, TestSchema>()

if (postgresAvailable('the PostgreSQL store contract')) {
  describeStoreContract('postgres', {
    open: async () => {
      const schema = await createTestSchema()
      const store = await PostgresStore.open({ url: schema.url, poolSize: 4 })
      schemas.set(store, schema)
      return store
    },
    dispose: async (store) => {
      await store.close()
      await schemas.get(store)?.drop()
    },
  })
} else {
  describe.skip('Store contract: postgres', () => {
    it('needs a reachable PostgreSQL (see the SKIPPED line above)', () => {
      expect(postgresAvailable('the PostgreSQL store contract')).toBe(true)
    })
  })
}
