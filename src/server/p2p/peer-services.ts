// The HTTP service clients of other servers, reached over `/http` streams (reference §7.1: Peergos'
// proxying wrappers call a server's API through Nabu): one set per peer, made on first use and kept.
import { cidToString, type CID } from '../../codec/cid.ts'
import type { Libp2p } from '@libp2p/interface'
import { httpNetworkServices, type HttpNetworkServices } from '../../http/clients/network.ts'
import { Lru } from '../services/lru.ts'
import { P2pPoster, type P2pPosterOptions } from './p2p-poster.ts'
import { peerIdOf } from './peer-ids.ts'

export class PeerServices {
  private readonly byPeer = new Lru<string, HttpNetworkServices>(1024)

  constructor(private readonly libp2p: Libp2p, private readonly options: P2pPosterOptions = {}) {}

  /** The services of the server whose peer id is `peer` (a libp2p-key CID, as claims name home servers). */
  of(peer: CID): HttpNetworkServices {
    const key = cidToString(peer)
    let s = this.byPeer.get(key)
    if (s === undefined) {
      s = httpNetworkServices(new P2pPoster(this.libp2p, peerIdOf(peer), this.options))
      this.byPeer.set(key, s)
    }
    return s
  }
}
