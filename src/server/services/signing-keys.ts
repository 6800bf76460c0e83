// Writers' public signing keys (reference §0.3, §7.3; Peergos ContentAddressedStorage.getSigningKey and
// StorageHandler block/put): an identity PublicKeyHash carries its key, a legacy sha2-256 one names a
// stored key block, and a one-block write may carry its own key, signed by itself.
import { binaryKey } from '../../champ/block-store.ts'
import { decodeCbor } from '../../codec/cbor.ts'
import type { CID } from '../../codec/cid.ts'
import type { CryptoProvider } from '../../crypto/provider.ts'
import { publicKeyFromHash, publicKeyHash, publicSigningKeyFromCbor, type PublicKeyHash } from '../../model/signing-keys.ts'
import type { ServerBlockStore } from '../blocks/server-block-store.ts'
import { Lru } from './lru.ts'

/** A public signing key's CBOR is 36 bytes ([1, 32-byte key]); larger blocks are never key blocks. */
const MAX_KEY_BLOCK = 64

export class SigningKeys {
  private readonly cache: Lru<string, Uint8Array>

  constructor(private readonly crypto: CryptoProvider, private readonly blocks: ServerBlockStore, cacheSize = 10_000) {
    this.cache = new Lru(cacheSize)
  }

  /** The 32-byte Ed25519 key a PublicKeyHash names, or undefined when it is a hash of a key block not stored here. */
  async get(hash: PublicKeyHash): Promise<Uint8Array | undefined> {
    const k = binaryKey(hash.bytes)
    const hit = this.cache.get(k)
    if (hit !== undefined) return hit
    let key: Uint8Array | undefined
    try {
      key = publicKeyFromHash(hash) ?? (await this.fromBlock(hash))
    } catch {
      return undefined // not a signing key: nothing can verify against it
    }
    if (key !== undefined) this.cache.set(k, key)
    return key
  }

  private async fromBlock(hash: CID): Promise<Uint8Array | undefined> {
    const block = await this.blocks.get(hash) // re-hashed against the CID by the store
    return block === undefined ? undefined : publicSigningKeyFromCbor(decodeCbor(block, { maxDepth: 2 }))
  }

  /**
   * The key that must verify a block write by `writer` (StorageHandler BLOCK_PUT_BULK): for a single
   * block that is the CBOR of a public key hashing to `writer` and carrying a valid signature by that
   * key (a key's first write, signed by itself), that key; otherwise the writer's key as get() finds it.
   */
  async forBlockWrite(writer: PublicKeyHash, blocks: readonly Uint8Array[], signatures: readonly Uint8Array[]): Promise<Uint8Array | undefined> {
    if (blocks.length === 1 && blocks[0].length <= MAX_KEY_BLOCK) {
      try {
        const candidate = publicSigningKeyFromCbor(decodeCbor(blocks[0], { maxDepth: 2 }))
        if (publicKeyHash(candidate).equals(writer)) {
          this.crypto.openAttached(signatures[0], candidate)
          return candidate
        }
      } catch {
        // not a self-signed key block: use the stored key
      }
    }
    return this.get(writer)
  }
}
