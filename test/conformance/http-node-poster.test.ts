// The conformance suites once more over HTTP, with the Node client transport (NodePoster: node:http
// keep-alive) instead of fetch: results, errors and their classes must be the same.
import { NodePoster } from '../../src/server/http/node-poster.ts'
import { openLocalBundle } from '../server/services/local-bundle.ts'
import { runAccountSuite } from './account.suite.ts'
import { runBatCaveSuite } from './bat-cave.suite.ts'
import { runContentAddressedStorageSuite } from './content-addressed-storage.suite.ts'
import { runCoreNodeSuite } from './core-node.suite.ts'
import { runMutablePointersSuite } from './mutable-pointers.suite.ts'
import { bundleOverHttp, stackOverHttp } from './over-http.ts'
import { openServicesStack } from './services-stack.ts'
import { runSocialNetworkSuite } from './social-network.suite.ts'

const NAME = 'HTTP (NodePoster) → local (SQLite + FileBlockStore)'
const node = (url: string) => new NodePoster(url)
const bundle = async () => bundleOverHttp(await openLocalBundle(), node)
runContentAddressedStorageSuite(NAME, bundle)
runMutablePointersSuite(NAME, bundle)

const stack = async () => stackOverHttp(await openServicesStack(), node)
runCoreNodeSuite(NAME, stack)
runAccountSuite(NAME, stack)
runSocialNetworkSuite(NAME, stack)
runBatCaveSuite(NAME, stack)
