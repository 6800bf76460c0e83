// Runs the Account, SocialNetwork, BatCave and CoreNode conformance suites against the server's local
// implementations on SQLite (':memory:' stores). Blocks and pointers come from the temporary
// in-memory stand-ins (test/server/services/stand-ins.ts) until the local storage services are wired.
import { parseCid } from '../../src/codec/cid.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { openStores } from '../../src/server/db/index.ts'
import { LocalAccount } from '../../src/server/services/local-account.ts'
import { LocalBatCave } from '../../src/server/services/local-bat-cave.ts'
import { LocalSocialNetwork } from '../../src/server/services/local-social.ts'
import { fixedDifficulty } from '../../src/server/services/pki/difficulty.ts'
import { LocalCoreNode } from '../../src/server/services/pki/local-core-node.ts'
import { TemporaryMemoryPointers, TemporaryMemoryStorage } from '../server/services/stand-ins.ts'
import { runAccountSuite } from './account.suite.ts'
import { runBatCaveSuite } from './bat-cave.suite.ts'
import { runCoreNodeSuite } from './core-node.suite.ts'
import { keyPair } from './pki-users.ts'
import type { ServicesFixture } from './services-fixture.ts'
import { runSocialNetworkSuite } from './social-network.suite.ts'

/** The real Peergos test server's peer id (any libp2p-key CID would do). */
const SERVER_ID = parseCid('zdvgqGsMfVfU6MCNi6HxgDCuZKuieiRvFmXjri6H8Sdf5B39t')

let crypto: CryptoProvider | undefined

async function localServices(): Promise<ServicesFixture> {
  const c = (crypto ??= await createNodeCrypto())
  const stores = await openStores({ kind: 'sqlite', dir: ':memory:' })
  const storage = new TemporaryMemoryStorage(c, SERVER_ID)
  const pointers = new TemporaryMemoryPointers(c, storage)
  const pkiOwner = keyPair(c)
  const pkiWriter = keyPair(c)
  const coreNode = await LocalCoreNode.open({
    crypto: c, storage, pointers, logins: stores.logins, bats: stores.bats, serverIds: [SERVER_ID], difficulty: fixedDifficulty(0),
    pki: { owner: pkiOwner.hash, writer: pkiWriter.hash, signer: pkiWriter.signer },
  })
  return {
    crypto: c,
    serverId: SERVER_ID,
    coreNode,
    account: new LocalAccount({ crypto: c, logins: stores.logins, core: coreNode, storage, pointers }),
    social: new LocalSocialNetwork({ crypto: c, followRequests: stores.followRequests, core: coreNode, storage }),
    batCave: new LocalBatCave({ crypto: c, bats: stores.bats, core: coreNode, storage }),
    pointers,
    typedErrors: true,
    close: () => stores.close(),
  }
}

runCoreNodeSuite('local (SQLite, stand-in blocks)', localServices)
runAccountSuite('local (SQLite, stand-in blocks)', localServices)
runSocialNetworkSuite('local (SQLite, stand-in blocks)', localServices)
runBatCaveSuite('local (SQLite, stand-in blocks)', localServices)
