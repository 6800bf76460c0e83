// A real user of a server reached over HTTP only (reference §5.3, §3.2, §3.3): signed up with a
// claim chain naming the server and an empty OpLog (proof of work as the server asks), then writing
// like a Peergos client: signed blocks in transactions, WriterData commits by CAS, owned writers.
import type { CryptoProvider } from '../../../src/crypto/provider.ts'
import { localDateOf, plusMonths } from '../../../src/model/local-date.ts'
import { buildProofOfWork, emptyProofOfWork } from '../../../src/model/proof-of-work.ts'
import { createInitialChain, encodeChain } from '../../../src/model/user-public-key-link.ts'
import type { ContentAddressedStorage } from '../../../src/services/content-addressed-storage.ts'
import type { CoreNode } from '../../../src/services/core-node.ts'
import type { MutablePointers } from '../../../src/services/mutable-pointers.ts'
import { newSigner, WritingUser, type Signer, type WritingServices } from '../services/storage-fixtures.ts'

/** What a user needs of a server: its storage, pointers and PKI (e.g. httpNetworkServices) and a crypto provider. */
export interface RemoteServer {
  readonly crypto: CryptoProvider
  readonly storage: ContentAddressedStorage
  readonly pointers: MutablePointers
  readonly coreNode: CoreNode
}

export class RemoteUser extends WritingUser {
  private constructor(private srv: RemoteServer, username: string, identity: Signer) {
    super(username, identity)
  }

  get server(): RemoteServer {
    return this.srv
  }

  protected get services(): WritingServices {
    return this.srv
  }

  /** Talks to the server through `server` from now on (e.g. after the daemon restarted on another port). */
  connect(server: RemoteServer): void {
    this.srv = server
  }

  /** Signs `username` up on the server (home server = the server's id), then commits the identity's empty WriterData. */
  static async signUp(server: RemoteServer, username: string): Promise<RemoteUser> {
    const c = server.crypto
    const u = new RemoteUser(server, username, newSigner(c))
    const home = await server.storage.id()
    const chain = createInitialChain(c, { publicKeyHash: u.owner, secretKey: u.identity.signer.secretKey }, username, plusMonths(localDateOf(new Date()), 2), [home])
    let pow = emptyProofOfWork()
    for (let i = 0; ; i++) {
      const required = await server.coreNode.signup(username, chain[0], { operations: [] }, pow, '')
      if (required === undefined) break
      if (i >= 3) throw new Error('signup kept asking for more work')
      pow = buildProofOfWork(c, encodeChain(chain), required.difficulty)
    }
    if (!(await u.commit(u.identity, u.identity.wd))) throw new Error('identity commit failed')
    return u
  }
}
