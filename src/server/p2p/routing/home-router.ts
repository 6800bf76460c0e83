// Where a request about an owner is served (reference §7.1; Peergos Proxy.redirectCall): at the
// owner's home server, the single storage provider of their last claim in the PKI. Ours (or unknown,
// or the PKI user): served here. Another server's: forwarded to it over p2p, unless the request itself
// arrived over p2p, which is never forwarded again (no loops between servers whose PKI views differ);
// such a request may read what is here but may not write for a user who lives elsewhere.
import { cidToString, type CID } from '../../../codec/cid.ts'
import { PeergosError } from '../../../errors.ts'
import type { HttpNetworkServices } from '../../../http/clients/network.ts'
import type { PublicKeyHash } from '../../../model/signing-keys.ts'
import { chainHomeServer } from '../../../model/user-public-key-link.ts'
import type { CoreNode } from '../../../services/core-node.ts'
import { WriterNotAllowedError } from '../../../services/errors.ts'
import { PKI_USERNAME } from '../../services/pki/local-core-node.ts'
import { isOneOf } from '../../services/pki/signup-policy.ts'
import type { PeerServices } from '../peer-services.ts'

/** 'forward': a client's request (forwarded to the home server); 'inbound': another server's (never forwarded). */
export type RouteMode = 'forward' | 'inbound'

export interface HomeRouterOptions {
  /** The PKI as this server sees it (its own, or its mirror). */
  readonly core: Pick<CoreNode, 'getUsername' | 'getChain'>
  /** The home server ids served here (this server's peer id, and those of imported accounts). */
  readonly homeIds: () => readonly CID[]
  /** Other servers over p2p; undefined without p2p (everything is served here). */
  readonly peers?: PeerServices
}

export class HomeRouter {
  constructor(private readonly o: HomeRouterOptions) {}

  /** The home server of a username, or undefined (no claim, or the PKI user). */
  async homeOfUser(username: string): Promise<CID | undefined> {
    if (username === PKI_USERNAME) return undefined
    return chainHomeServer(await this.o.core.getChain(username))
  }

  /** The home server of an owner key, or undefined when the PKI does not know it. */
  async homeOfOwner(owner: PublicKeyHash): Promise<CID | undefined> {
    let username: string
    try {
      username = await this.o.core.getUsername(owner)
    } catch (e) {
      if (e instanceof PeergosError) return undefined
      throw e
    }
    return this.homeOfUser(username)
  }

  isHome(id: CID): boolean {
    return isOneOf(id, this.o.homeIds())
  }

  /** The services to call for a request about a user whose home is `home`: undefined = here. */
  private target(home: CID | undefined, mode: RouteMode, write: boolean): HttpNetworkServices | undefined {
    if (home === undefined || this.isHome(home) || this.o.peers === undefined) return undefined
    if (mode === 'forward') return this.o.peers.of(home)
    if (write) throw new WriterNotAllowedError(`Key not allowed to write to this server: its home server is ${cidToString(home)}`)
    return undefined
  }

  /** Runs `local` here or `remote` on the owner's home server. */
  async byOwner<T>(owner: PublicKeyHash, mode: RouteMode, write: boolean, local: () => Promise<T>, remote: (s: HttpNetworkServices) => Promise<T>): Promise<T> {
    const s = this.target(await this.homeOfOwner(owner), mode, write)
    return s === undefined ? local() : remote(s)
  }

  /** Runs `local` here or `remote` on the user's home server. */
  async byUser<T>(username: string, mode: RouteMode, write: boolean, local: () => Promise<T>, remote: (s: HttpNetworkServices) => Promise<T>): Promise<T> {
    const s = this.target(await this.homeOfUser(username), mode, write)
    return s === undefined ? local() : remote(s)
  }

  /** The owner's home services when they live on another server and `mode` forwards; else undefined. */
  async remoteHome(owner: PublicKeyHash, mode: RouteMode): Promise<HttpNetworkServices | undefined> {
    if (mode !== 'forward') return undefined
    return this.target(await this.homeOfOwner(owner), mode, false)
  }
}
