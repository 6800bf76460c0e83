// Every conformance suite on Postgres stores (blocks in a FileBlockStore), the storage and pointer suites
// also through HTTP; skipped with a message when PEERGOS_TEST_POSTGRES is unset, failing when CI=true.
import { describePostgres } from '../server/db/dialects.ts'
import { openBundleOn } from '../server/services/local-bundle.ts'
import { runAccountSuite } from './account.suite.ts'
import { postgresBackend } from './backends.ts'
import { runBatCaveSuite } from './bat-cave.suite.ts'
import { runContentAddressedStorageSuite } from './content-addressed-storage.suite.ts'
import { runCoreNodeSuite } from './core-node.suite.ts'
import { runMutablePointersSuite } from './mutable-pointers.suite.ts'
import { bundleOverHttp } from './over-http.ts'
import { openServicesStack } from './services-stack.ts'
import { runSocialNetworkSuite } from './social-network.suite.ts'

describePostgres('conformance on Postgres', (url) => {
  const bundle = () => openBundleOn(postgresBackend(url))
  runContentAddressedStorageSuite('local (Postgres + FileBlockStore)', bundle)
  runMutablePointersSuite('local (Postgres + FileBlockStore)', bundle)
  runContentAddressedStorageSuite('HTTP → local (Postgres + FileBlockStore)', async () => bundleOverHttp(await bundle()))
  runMutablePointersSuite('HTTP → local (Postgres + FileBlockStore)', async () => bundleOverHttp(await bundle()))

  // A fresh stack (schema, PKI) per test: locally only, the HTTP path of these suites runs in http.test.ts.
  const stack = () => openServicesStack(postgresBackend(url))
  runCoreNodeSuite('local (Postgres + FileBlockStore)', stack)
  runAccountSuite('local (Postgres + FileBlockStore)', stack)
  runSocialNetworkSuite('local (Postgres + FileBlockStore)', stack)
  runBatCaveSuite('local (Postgres + FileBlockStore)', stack)
})
