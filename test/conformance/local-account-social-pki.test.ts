// Runs the Account, SocialNetwork, BatCave and CoreNode conformance suites against the server's local
// implementations on real backends, as the daemon wires them: SQLite files and a FileBlockStore in a
// temporary directory, the validating storage and pointers, and a PKI whose key is its own identity.
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import type { PublicKeyHash } from '../../src/model/signing-keys.ts'
import { LocalAccount } from '../../src/server/services/local-account.ts'
import { LocalBatCave } from '../../src/server/services/local-bat-cave.ts'
import { LocalSocialNetwork } from '../../src/server/services/local-social.ts'
import { fixedDifficulty } from '../../src/server/services/pki/difficulty.ts'
import { LocalCoreNode, PKI_USERNAME } from '../../src/server/services/pki/local-core-node.ts'
import { openLocalBundle } from '../server/services/local-bundle.ts'
import { runAccountSuite } from './account.suite.ts'
import { runBatCaveSuite } from './bat-cave.suite.ts'
import { runCoreNodeSuite } from './core-node.suite.ts'
import { keyPair } from './pki-users.ts'
import type { ServicesFixture } from './services-fixture.ts'
import { runSocialNetworkSuite } from './social-network.suite.ts'

let crypto: CryptoProvider | undefined

async function localServices(): Promise<ServicesFixture> {
  const c = (crypto ??= await createNodeCrypto())
  const pki = keyPair(c)
  let core: LocalCoreNode | undefined
  // Blocks are filed under the PKI's username, or the user's (also while its signup is applied).
  const usernameOf = async (owner: PublicKeyHash): Promise<string | undefined> => (owner.equals(pki.hash) ? PKI_USERNAME : core?.usernameForWrites(owner))
  const b = await openLocalBundle({ usernameOf })
  const { storage, pointers } = b.services
  core = await LocalCoreNode.open({
    crypto: c, storage, pointers, logins: b.stores.logins, bats: b.stores.bats, serverIds: [b.serverId], difficulty: fixedDifficulty(0),
    pki: { owner: pki.hash, writer: pki.hash, signer: pki.signer },
  })
  return {
    crypto: c,
    serverId: b.serverId,
    coreNode: core,
    account: new LocalAccount({ crypto: c, logins: b.stores.logins, core, storage, pointers }),
    social: new LocalSocialNetwork({ crypto: c, followRequests: b.stores.followRequests, core, storage }),
    batCave: new LocalBatCave({ crypto: c, bats: b.stores.bats, core, storage }),
    pointers,
    typedErrors: true,
    close: () => b.close(),
  }
}

runCoreNodeSuite('local (SQLite, FileBlockStore)', localServices)
runAccountSuite('local (SQLite, FileBlockStore)', localServices)
runSocialNetworkSuite('local (SQLite, FileBlockStore)', localServices)
runBatCaveSuite('local (SQLite, FileBlockStore)', localServices)
