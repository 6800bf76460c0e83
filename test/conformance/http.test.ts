// Every conformance suite through HTTP client → startHttpServer(createApiHandler(local services)) → the
// same local services as the local runs (SQLite files + FileBlockStore in a temp dir), with the same
// assertions: results and error class names must survive the wire.
import { openLocalBundle } from '../server/services/local-bundle.ts'
import { runAccountSuite } from './account.suite.ts'
import { runBatCaveSuite } from './bat-cave.suite.ts'
import { runContentAddressedStorageSuite } from './content-addressed-storage.suite.ts'
import { runCoreNodeSuite } from './core-node.suite.ts'
import { runMutablePointersSuite } from './mutable-pointers.suite.ts'
import { bundleOverHttp, stackOverHttp } from './over-http.ts'
import { openServicesStack } from './services-stack.ts'
import { runSocialNetworkSuite } from './social-network.suite.ts'

const NAME = 'HTTP → local (SQLite + FileBlockStore)'
const bundle = async () => bundleOverHttp(await openLocalBundle())
runContentAddressedStorageSuite(NAME, bundle)
runMutablePointersSuite(NAME, bundle)

const stack = async () => stackOverHttp(await openServicesStack())
runCoreNodeSuite(NAME, stack)
runAccountSuite(NAME, stack)
runSocialNetworkSuite(NAME, stack)
runBatCaveSuite(NAME, stack)
