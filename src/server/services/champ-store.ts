// The server's stored blocks seen as the CHAMP layer's BlockStore (reference §3.1), read-only: the
// services walk owned-key, secret-link and filesystem CHAMPs that clients wrote and signed.
import type { BlockStore } from '../../champ/block-store.ts'
import { Champ } from '../../champ/champ.ts'
import type { CID } from '../../codec/cid.ts'
import type { CryptoProvider } from '../../crypto/provider.ts'
import { PeergosError } from '../../errors.ts'
import type { ServerBlockStore } from '../blocks/server-block-store.ts'

class ReadOnlyBlocks implements BlockStore {
  /** ServerBlockStore.get re-hashes every block against its CID. */
  readonly trusted = true

  constructor(private readonly blocks: ServerBlockStore) {}

  get(cid: CID): Promise<Uint8Array | undefined> {
    return this.blocks.get(cid)
  }

  put(): Promise<CID> {
    return Promise.reject(new PeergosError('The server never writes CHAMP nodes of its own'))
  }
}

/** A CHAMP reader over the stored blocks with Peergos' parameters and a decoded-node cache. */
export function serverChamp(crypto: CryptoProvider, blocks: ServerBlockStore, cacheSize?: number): Champ {
  return new Champ({ store: new ReadOnlyBlocks(blocks), crypto, verify: false, ...(cacheSize === undefined ? {} : { cacheSize }) })
}
