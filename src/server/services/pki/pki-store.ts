// The PKI's persistent state (reference §4.3; Peergos IpfsCoreNode): under the PKI user's identity
// (owner) the PKI writer's pointer targets a WriterData whose `tree` is a CHAMP (Blake2b-512 key hash,
// bit width 3, buckets 4) of username UTF-8 → link to the dag-cbor list of the user's claim chain.
import { encodeCbor } from '../../../codec/cbor.ts'
import type { CID } from '../../../codec/cid.ts'
import { Champ, type BlockStore } from '../../../champ/index.ts'
import type { CryptoProvider } from '../../../crypto/provider.ts'
import { PeergosError } from '../../../errors.ts'
import type { SignedPointerUpdate } from '../../../model/multi-writer-commit.ts'
import { nextSequence, openSignedPointerUpdate, pointerUpdate, signPointerUpdate } from '../../../model/pointer-update.ts'
import type { PublicKeyHash, SigningPrivateKeyAndPublicHash } from '../../../model/signing-keys.ts'
import { chainToCbor, decodeChain, type SigningKeyResolver, type UserPublicKeyLink } from '../../../model/user-public-key-link.ts'
import { decodeWriterData, encodeWriterData, type WriterData } from '../../../model/writer-data.ts'
import type { ContentAddressedStorage, TransactionId } from '../../../services/content-addressed-storage.ts'
import type { MutablePointers } from '../../../services/mutable-pointers.ts'
import { requireKey } from '../key-resolver.ts'

/** The PKI cannot be written (no signing key), or its stored state is not what it should be. */
export class PkiStateError extends PeergosError {}

export interface PkiIdentity {
  /** The PKI user's identity ("peergos"; Peergos' `peergos.identity.hash`), owner of the PKI blocks. */
  readonly owner: PublicKeyHash
  /** The PKI writer key whose pointer holds the PKI WriterData. */
  readonly writer: PublicKeyHash
  /** The writer's secret key; without it the PKI is read-only (a loaded dump, a mirror). */
  readonly signer?: SigningPrivateKeyAndPublicHash
}

/** One username → chain-block mapping read from the tree. */
export interface PkiEntry {
  readonly username: string
  readonly chainCid: CID
}

/** A change written as blocks, made visible only by commit() (the PKI pointer CAS). */
export interface PreparedPkiUpdate {
  readonly chainCid: CID
  /** The PKI writer's signed pointer update commit() sets; undefined when the tree is unchanged. */
  readonly pointer?: SignedPointerUpdate
  commit(): Promise<void>
  /** Records that the caller set `pointer` itself (with other updates, in one transaction). */
  committed(): Promise<void>
  abort(): Promise<void>
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

export class PkiStore {
  private readonly champ: Champ
  private tid: TransactionId | undefined
  private wdCid: CID | undefined
  private wd: WriterData | undefined
  private sequence: number | undefined

  constructor(private readonly c: CryptoProvider, private readonly storage: ContentAddressedStorage,
    private readonly pointers: MutablePointers, readonly id: PkiIdentity, private readonly resolve: SigningKeyResolver) {
    if (id.signer !== undefined && !id.signer.publicKeyHash.equals(id.writer)) throw new PkiStateError('PKI signer does not match the PKI writer')
    const store: BlockStore = {
      get: (cid) => storage.get(id.owner, cid),
      put: async (block, raw) => (await this.putSigned([block], raw))[0],
    }
    this.champ = new Champ({ store, crypto: c, keyHash: 'blake2b', bitWidth: 3, maxCollisions: 4 })
  }

  /** The current tree root (undefined before the first user). */
  get tree(): CID | undefined {
    return this.wd?.tree
  }

  /**
   * Reads the PKI pointer. Without one, and with a signer, writes Peergos' initial state
   * (WriterData.createEmpty committed with sequence 2), whose tree is `initialTree` when given.
   */
  async load(initialTree?: CID): Promise<void> {
    const signed = await this.pointers.getPointer(this.id.owner, this.id.writer)
    if (signed !== undefined) {
      const update = openSignedPointerUpdate(this.c, await requireKey(this.resolve, this.id.writer), signed)
      if (update.updated === null) throw new PkiStateError('The PKI pointer was deleted')
      const block = await this.storage.get(this.id.owner, update.updated)
      if (block === undefined) throw new PkiStateError(`PKI WriterData block ${update.updated.toString()} is missing`)
      const wd = decodeWriterData(block)
      if (!wd.controller.equals(this.id.writer)) throw new PkiStateError('PKI WriterData has a different controller')
      this.wdCid = update.updated
      this.wd = wd
      this.sequence = update.sequence
      return
    }
    if (this.id.signer === undefined) throw new PkiStateError('No PKI pointer, and no PKI signing key to create one')
    await this.inTransaction(async () => {
      const owned = await this.champ.createEmpty() // OwnedKeyChamp.createEmpty: the same empty node bytes
      const wd: WriterData = initialTree === undefined ? { controller: this.id.writer, ownedKeys: owned } : { controller: this.id.writer, ownedKeys: owned, tree: initialTree }
      await this.commitWriterData(wd, 1)
    })
  }

  /** Every username → chain block of the current tree. */
  async *entries(): AsyncGenerator<PkiEntry> {
    if (this.wd?.tree === undefined) return
    for await (const e of this.champ.entries(this.wd.tree)) yield { username: utf8.decode(e.key), chainCid: e.value }
  }

  async readChain(cid: CID): Promise<UserPublicKeyLink[]> {
    const block = await this.storage.get(this.id.owner, cid)
    if (block === undefined) throw new PkiStateError(`Claim chain block ${cid.toString()} is missing`)
    return decodeChain(block)
  }

  /** Writes the chain block, the new tree and WriterData; nothing is visible until commit(). */
  async prepare(username: string, chain: readonly UserPublicKeyLink[]): Promise<PreparedPkiUpdate> {
    if (this.id.signer === undefined) throw new PkiStateError('This PKI is read-only (no PKI signing key)')
    if (this.tid !== undefined) throw new PkiStateError('Concurrent PKI update')
    const tid = await this.storage.startTransaction(this.id.owner)
    this.tid = tid
    let released = false
    const release = async (): Promise<void> => {
      if (released) return
      released = true
      if (this.tid === tid) this.tid = undefined
      await this.storage.closeTransaction(this.id.owner, tid)
    }
    try {
      const key = new TextEncoder().encode(username)
      const [chainCid] = await this.putSigned([encodeCbor(chainToCbor(chain))], false)
      const root = this.wd?.tree ?? (await this.champ.createEmpty())
      const existing = await this.champ.get(root, key)
      const tree = await this.champ.put(root, key, existing, chainCid)
      const wd: WriterData = { ...this.wd!, tree }
      const [wdCid] = await this.putSigned([encodeWriterData(wd)], false)
      const changed = this.wdCid === undefined || !wdCid.equals(this.wdCid)
      const sequence = nextSequence(this.sequence)
      const pointer = changed ? { writer: this.id.writer, signed: this.signUpdate(wdCid, sequence) } : undefined
      const committed = async (): Promise<void> => {
        if (pointer !== undefined) this.applied(wd, wdCid, sequence)
        // Visible now: an unclosed transaction only keeps its blocks from GC until it expires.
        await release().catch(() => {})
      }
      return {
        chainCid,
        pointer,
        commit: async () => {
          try {
            if (pointer !== undefined && !(await this.pointers.setPointer(this.id.owner, this.id.writer, pointer.signed))) throw new PkiStateError('PKI pointer update refused')
          } catch (e) {
            await release()
            throw e
          }
          await committed()
        },
        committed,
        abort: release,
      }
    } catch (e) {
      await release().catch(() => {})
      throw e
    }
  }

  private async inTransaction(f: () => Promise<void>): Promise<void> {
    const tid = await this.storage.startTransaction(this.id.owner)
    this.tid = tid
    try {
      await f()
    } finally {
      this.tid = undefined
      await this.storage.closeTransaction(this.id.owner, tid)
    }
  }

  private async commitWriterData(wd: WriterData, currentSequence?: number): Promise<void> {
    const [cid] = await this.putSigned([encodeWriterData(wd)], false)
    await this.setPointer(wd, cid, currentSequence)
  }

  /** WriterData.commit: CAS from the current target, sequence incremented. */
  private async setPointer(wd: WriterData, cid: CID, currentSequence = this.sequence): Promise<void> {
    const sequence = nextSequence(currentSequence)
    if (!(await this.pointers.setPointer(this.id.owner, this.id.writer, this.signUpdate(cid, sequence)))) throw new PkiStateError('PKI pointer update refused')
    this.applied(wd, cid, sequence)
  }

  private signUpdate(cid: CID, sequence: number): Uint8Array {
    return signPointerUpdate(this.c, this.id.signer!.secretKey, pointerUpdate(this.wdCid ?? null, cid, sequence))
  }

  private applied(wd: WriterData, cid: CID, sequence: number): void {
    this.wdCid = cid
    this.wd = wd
    this.sequence = sequence
  }

  /** ContentAddressedStorage.put with the PKI writer's signatures of sha256(block). */
  private async putSigned(blocks: Uint8Array[], raw: boolean): Promise<CID[]> {
    if (this.tid === undefined || this.id.signer === undefined) throw new PkiStateError('PKI write outside a transaction')
    const sigs = blocks.map((b) => this.c.signAttached(this.c.sha256(b), this.id.signer!.secretKey))
    return this.storage.put(this.id.owner, this.id.writer, sigs, blocks, this.tid, raw)
  }
}
