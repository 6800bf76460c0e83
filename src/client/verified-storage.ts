// Client-side view of a ContentAddressedStorage that trusts no server: every block fetched is
// re-hashed against its CID (BlockHashMismatchError otherwise) before anything reads it.
import { verifyBlock, type CID } from '../codec/cid.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import type { BatWithId } from '../model/bat-id.ts'
import type { PublicKeyHash } from '../model/signing-keys.ts'
import type { ContentAddressedStorage } from '../services/content-addressed-storage.ts'

export class VerifiedStorage {
  constructor(readonly crypto: CryptoProvider, readonly storage: ContentAddressedStorage) {}

  /** The block's bytes, verified against `cid`; undefined when the server does not have it. */
  async get(owner: PublicKeyHash, cid: CID, bat?: BatWithId): Promise<Uint8Array | undefined> {
    const bytes = await this.storage.get(owner, cid, bat)
    if (bytes === undefined) return undefined
    verifyBlock(this.crypto, cid, bytes)
    return bytes
  }
}
