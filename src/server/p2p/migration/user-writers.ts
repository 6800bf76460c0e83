// The writers of a user (reference §3.4, §4.4; Peergos MirrorCoreNode.getUserSnapshotRecursive): the
// identity, and recursively every key its WriterData's owned-keys CHAMP names, each with its signed
// pointer (checked against the writer's key). The same walk reads the home server's own tables (a
// snapshot) or another server over p2p (a migration copying the user).
import { decodeCbor } from '../../../codec/cbor.ts'
import { cidToString, type CID } from '../../../codec/cid.ts'
import { Champ, type BlockStore } from '../../../champ/index.ts'
import type { CryptoProvider } from '../../../crypto/provider.ts'
import { ownerProofFromCbor } from '../../../model/owner-proof.ts'
import { openSignedPointerUpdate } from '../../../model/pointer-update.ts'
import type { PublicKeyHash } from '../../../model/signing-keys.ts'
import type { SigningKeyResolver } from '../../../model/user-public-key-link.ts'
import { decodeWriterData } from '../../../model/writer-data.ts'
import { MigrationError, MissingBlockError } from '../../../services/errors.ts'
import { requireKey } from '../../services/key-resolver.ts'

/** Where the walk reads: pointers by writer, blocks by CID (already re-hashed). */
export interface WriterSource {
  getPointer(writer: PublicKeyHash): Promise<Uint8Array | undefined>
  getBlock(cid: CID): Promise<Uint8Array | undefined>
}

export interface SignedWriterPointer {
  readonly writer: PublicKeyHash
  readonly signed: Uint8Array
  /** The WriterData the pointer names (undefined once deleted). */
  readonly target: CID | undefined
}

/** Bound on the keys one user's walk visits (a user has a handful; a loop of proofs stops here). */
const MAX_WRITERS = 100_000

export async function userWriters(c: CryptoProvider, owner: PublicKeyHash, source: WriterSource, resolve: SigningKeyResolver): Promise<SignedWriterPointer[]> {
  const out: SignedWriterPointer[] = []
  const seen = new Set<string>([cidToString(owner)])
  const queue: PublicKeyHash[] = [owner]
  const store: BlockStore = {
    trusted: true,
    get: (cid) => source.getBlock(cid),
    put: () => Promise.reject(new Error('read-only')),
  }
  const champ = new Champ({ store, crypto: c })
  while (queue.length > 0) {
    const writer = queue.shift()!
    const signed = await source.getPointer(writer)
    if (signed === undefined) continue
    const update = openSignedPointerUpdate(c, await requireKey(resolve, writer), signed)
    out.push({ writer, signed, target: update.updated ?? undefined })
    if (update.updated === null) continue
    const block = await source.getBlock(update.updated)
    if (block === undefined) throw new MissingBlockError(`WriterData ${cidToString(update.updated)} of ${cidToString(writer)} is missing`)
    const wd = decodeWriterData(block)
    if (wd.ownedKeys === undefined) continue
    for await (const e of champ.entries(wd.ownedKeys)) {
      const proofBlock = await source.getBlock(e.value)
      if (proofBlock === undefined) throw new MissingBlockError(`Owner proof ${cidToString(e.value)} is missing`)
      const owned = ownerProofFromCbor(decodeCbor(proofBlock, { maxDepth: 4 })).ownedKey
      const k = cidToString(owned)
      if (seen.has(k)) continue
      if (seen.size >= MAX_WRITERS) throw new MigrationError(`More than ${MAX_WRITERS} owned keys`)
      seen.add(k)
      queue.push(owned)
    }
  }
  return out
}
