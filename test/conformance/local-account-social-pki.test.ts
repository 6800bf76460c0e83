// Runs the Account, SocialNetwork, BatCave and CoreNode conformance suites against the server's local
// implementations on real backends, as the daemon wires them (openServicesStack): SQLite files and a
// FileBlockStore in a temporary directory, the validating storage and pointers, and a PKI whose key
// is its own identity.
import { runAccountSuite } from './account.suite.ts'
import { runBatCaveSuite } from './bat-cave.suite.ts'
import { runCoreNodeSuite } from './core-node.suite.ts'
import { openServicesStack } from './services-stack.ts'
import { runSocialNetworkSuite } from './social-network.suite.ts'

const localServices = () => openServicesStack()

runCoreNodeSuite('local (SQLite, FileBlockStore)', localServices)
runAccountSuite('local (SQLite, FileBlockStore)', localServices)
runSocialNetworkSuite('local (SQLite, FileBlockStore)', localServices)
runBatCaveSuite('local (SQLite, FileBlockStore)', localServices)
