// The storage conformance suites against the local services on SQLite and a FileBlockStore.
import { openLocalBundle } from '../server/services/local-bundle.ts'
import { runContentAddressedStorageSuite } from './content-addressed-storage.suite.ts'
import { runMutablePointersSuite } from './mutable-pointers.suite.ts'
import type { ConformanceBundle } from './bundle.ts'

const local = async (): Promise<ConformanceBundle> => openLocalBundle()

runContentAddressedStorageSuite('local (SQLite + FileBlockStore)', local)
runMutablePointersSuite('local (SQLite + FileBlockStore)', local)
