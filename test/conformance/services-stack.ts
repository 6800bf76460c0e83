// One server's full stack for the Account / SocialNetwork / BatCave / CoreNode suites on any backend
// (SQLite files + FileBlockStore by default, as local-account-social-pki.test.ts runs it; Postgres,
// S3), wired as the daemon wires it: the validating storage and pointers, and a PKI whose key is its
// own identity; so every backend and transport runs the same stack.
import { binaryKey } from '../../src/champ/block-store.ts'
import type { PublicKeyHash } from '../../src/model/signing-keys.ts'
import type { ServerBlockStore } from '../../src/server/blocks/index.ts'
import type { Stores } from '../../src/server/db/index.ts'
import { LocalAccount } from '../../src/server/services/local-account.ts'
import { LocalBatCave } from '../../src/server/services/local-bat-cave.ts'
import { LocalSocialNetwork } from '../../src/server/services/local-social.ts'
import { fixedDifficulty } from '../../src/server/services/pki/difficulty.ts'
import { LocalCoreNode, PKI_USERNAME } from '../../src/server/services/pki/local-core-node.ts'
import type { ContentAddressedStorage } from '../../src/services/content-addressed-storage.ts'
import { fileSqliteBackend, openBundleOn, type BundleBackend } from '../server/services/local-bundle.ts'
import { keyPair } from './pki-users.ts'
import type { ServicesFixture } from './services-fixture.ts'

/** A ServicesFixture that also exposes its storage and stores, for serving every service over HTTP. */
export interface ServicesStack extends ServicesFixture {
  readonly storage: ContentAddressedStorage
  readonly stores: Stores
}

export async function openServicesStack(backend: BundleBackend<ServerBlockStore> = fileSqliteBackend()): Promise<ServicesStack> {
  let pkiKey: string | undefined
  let core: LocalCoreNode | undefined
  // Blocks are filed under the PKI's username, or the user's (also while its signup is applied).
  const usernameOf = async (owner: PublicKeyHash): Promise<string | undefined> =>
    binaryKey(owner.bytes) === pkiKey ? PKI_USERNAME : core?.usernameForWrites(owner)
  const b = await openBundleOn(backend, { usernameOf })
  const c = b.crypto
  const pki = keyPair(c)
  pkiKey = binaryKey(pki.hash.bytes)
  const { storage, pointers } = b.services
  try {
    core = await LocalCoreNode.open({
      crypto: c, storage, pointers, logins: b.stores.logins, bats: b.stores.bats, serverIds: [b.serverId], difficulty: fixedDifficulty(0),
      pki: { owner: pki.hash, writer: pki.hash, signer: pki.signer },
    })
  } catch (e) {
    await b.close()
    throw e
  }
  return {
    crypto: c,
    serverId: b.serverId,
    storage,
    stores: b.stores,
    coreNode: core,
    account: new LocalAccount({ crypto: c, logins: b.stores.logins, mfa: b.stores.mfa, core, storage, pointers }),
    social: new LocalSocialNetwork({ crypto: c, followRequests: b.stores.followRequests, core, storage }),
    batCave: new LocalBatCave({ crypto: c, bats: b.stores.bats, core, storage }),
    pointers,
    typedErrors: true,
    close: () => b.close(),
  }
}
