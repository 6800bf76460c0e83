// The client's memory of the newest pointer seen per writer (reference §3.3 CachingPointers): a
// validly signed but older pointer served later is refused with PointerRollbackError.
import { cidToString, type CID } from '../codec/cid.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import { openSignedPointerUpdate, type PointerUpdate } from '../model/pointer-update.ts'
import { InvalidSignatureError } from '../crypto/errors.ts'
import { publicKeyFromHash, type PublicKeyHash } from '../model/signing-keys.ts'
import type { MutablePointers } from '../services/mutable-pointers.ts'
import { PointerRollbackError } from './errors.ts'

export class VerifiedPointers {
  private readonly latest = new Map<string, number>()

  constructor(readonly crypto: CryptoProvider, readonly pointers: MutablePointers) {}

  /** The writer's current PointerUpdate, signature-checked and no older than any seen before. */
  async get(owner: PublicKeyHash, writer: PublicKeyHash): Promise<PointerUpdate | undefined> {
    const signed = await this.pointers.getPointer(owner, writer)
    const key = cidToString(writer)
    const seen = this.latest.get(key)
    if (signed === undefined) {
      if (seen !== undefined) throw new PointerRollbackError(`The server no longer returns a pointer for writer ${key}`)
      return undefined
    }
    const publicKey = publicKeyFromHash(writer)
    if (publicKey === undefined) throw new InvalidSignatureError(`Writer ${key} is not an identity key hash; cannot verify its pointer`)
    const update = openSignedPointerUpdate(this.crypto, publicKey, signed)
    const sequence = update.sequence ?? 0
    if (seen !== undefined && sequence < seen) throw new PointerRollbackError(`Pointer of writer ${key} rolled back from sequence ${seen} to ${sequence}`)
    this.latest.set(key, sequence)
    return update
  }

  /** Records a sequence this client itself committed, so an older pointer served later is refused. */
  observe(writer: PublicKeyHash, sequence: number): void {
    const key = cidToString(writer)
    if ((this.latest.get(key) ?? -1) < sequence) this.latest.set(key, sequence)
  }

  /** The target of the writer's pointer, or undefined when unset. */
  async target(owner: PublicKeyHash, writer: PublicKeyHash): Promise<CID | undefined> {
    return (await this.get(owner, writer))?.updated ?? undefined
  }
}
