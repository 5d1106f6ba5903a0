import { MemoryStore } from '../../server/src/store/memory/memory-store.ts'
import { describeStoreContract } from './store-contract.ts'

describeStoreContract('memory', { open: async () => new MemoryStore() })
