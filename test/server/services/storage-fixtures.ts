// Real signed data for the storage and pointer tests, built only through the service interfaces with
// the model's own functions (no mocks): identity and writer keys, signed blocks, WriterData commits
// with sequence tracking, owned-keys CHAMPs holding OwnerProofs, and signed pointer updates.
import type { BlockStore } from '../../../src/champ/block-store.ts'
import { Champ } from '../../../src/champ/champ.ts'
import { encodeCbor, type CborValue } from '../../../src/codec/cbor.ts'
import { cborMap } from '../../../src/codec/cbor-read.ts'
import { blockCid, type CID } from '../../../src/codec/cid.ts'
import type { CryptoProvider } from '../../../src/crypto/provider.ts'
import { encodeOwnerProof, buildOwnerProof } from '../../../src/model/owner-proof.ts'
import { nextSequence, pointerUpdate, signPointerUpdate } from '../../../src/model/pointer-update.ts'
import { publicKeyHash, type PublicKeyHash } from '../../../src/model/signing-keys.ts'
import { emptyWriterData, encodeWriterData, type WriterData } from '../../../src/model/writer-data.ts'
import type { ContentAddressedStorage, TransactionId } from '../../../src/services/content-addressed-storage.ts'
import type { MutablePointers } from '../../../src/services/mutable-pointers.ts'

export interface Signer {
  readonly publicKeyHash: PublicKeyHash
  readonly publicKey: Uint8Array
  readonly secretKey: Uint8Array
}

/** What the fixtures need from a server: its two storage services and a way to make a user known to it. */
export interface StorageBundle {
  readonly crypto: CryptoProvider
  readonly storage: ContentAddressedStorage
  readonly pointers: MutablePointers
  /** Registers `identity` as the user `username` of the server (PKI claim, home server, quota). */
  registerUser(username: string, identity: PublicKeyHash): Promise<void>
}

/** A fresh random Ed25519 key with its identity PublicKeyHash. */
export function newSigner(c: CryptoProvider): Signer {
  const kp = c.signKeyPairFromSeed(c.randomBytes(32))
  return { publicKeyHash: publicKeyHash(kp.publicKey), publicKey: kp.publicKey, secretKey: kp.secretKey }
}

/** The block signature Peergos writers send: signAttached(sha256(block)). */
export function signBlock(c: CryptoProvider, signer: Signer, block: Uint8Array): Uint8Array {
  return c.signAttached(c.sha256(block), signer.secretKey)
}

export function signPointer(c: CryptoProvider, signer: Signer, original: CID | null, updated: CID | null, sequence?: number): Uint8Array {
  return signPointerUpdate(c, signer.secretKey, pointerUpdate(original, updated, sequence))
}

/** OwnedKeyChamp.keyToBytes: the owned key's CBOR link, reversed. */
export function ownedKeyChampKey(key: PublicKeyHash): Uint8Array {
  return encodeCbor(key).reverse()
}

export function randomBlock(c: CryptoProvider, size: number): Uint8Array {
  return c.randomBytes(size)
}

/** A small dag-cbor block with some content (a stand-in for a cryptree node). */
export function cborBlock(c: CryptoProvider, fields: Record<string, CborValue> = {}): Uint8Array {
  return encodeCbor(cborMap({ n: c.randomBytes(16), ...fields }))
}

/** A CHAMP block store that writes through the service, signing each block as `signer`. */
export class SigningBlockStore implements BlockStore {
  constructor(
    private readonly c: CryptoProvider,
    private readonly storage: ContentAddressedStorage,
    private readonly owner: PublicKeyHash,
    private readonly signer: Signer,
    private readonly tid: TransactionId,
  ) {}

  get(cid: CID): Promise<Uint8Array | undefined> {
    return this.storage.get(this.owner, cid)
  }

  async put(block: Uint8Array, raw: boolean): Promise<CID> {
    const [cid] = await this.storage.put(this.owner, this.signer.publicKeyHash, [signBlock(this.c, this.signer, block)], [block], this.tid, raw)
    return cid
  }
}

/** A signing key with its committed WriterData version (what a Peergos client keeps in a Snapshot). */
export class WriterState {
  target: CID | null = null
  sequence: number | undefined = undefined
  wd: WriterData

  constructor(readonly signer: Signer) {
    this.wd = emptyWriterData(signer.publicKeyHash)
  }

  get hash(): PublicKeyHash {
    return this.signer.publicKeyHash
  }
}

/** The services a writing user talks to (a local bundle, or HTTP clients of a daemon). */
export interface WritingServices {
  readonly crypto: CryptoProvider
  readonly storage: ContentAddressedStorage
  readonly pointers: MutablePointers
}

/** A user writing like a Peergos client: an identity key plus writer keys it owns, all committed for real. */
export abstract class WritingUser {
  readonly identity: WriterState

  protected constructor(readonly username: string, identity: Signer) {
    this.identity = new WriterState(identity)
  }

  /** Where this user's writes go. */
  protected abstract get services(): WritingServices

  get c(): CryptoProvider {
    return this.services.crypto
  }

  get owner(): PublicKeyHash {
    return this.identity.hash
  }

  async tx<T>(fn: (tid: TransactionId) => Promise<T>): Promise<T> {
    const tid = await this.services.storage.startTransaction(this.owner)
    try {
      return await fn(tid)
    } finally {
      await this.services.storage.closeTransaction(this.owner, tid)
    }
  }

  /** Puts blocks signed by `signer` (in a transaction of their own unless `tid` is given). */
  async put(signer: Signer, blocks: Uint8Array[], raw: boolean, tid?: TransactionId): Promise<CID[]> {
    const sigs = blocks.map((b) => signBlock(this.c, signer, b))
    if (tid !== undefined) return this.services.storage.put(this.owner, signer.publicKeyHash, sigs, blocks, tid, raw)
    return this.tx((t) => this.services.storage.put(this.owner, signer.publicKeyHash, sigs, blocks, t, raw))
  }

  /** The signed update moving `w` to `target` with the next sequence. */
  nextUpdate(w: WriterState, target: CID | null): Uint8Array {
    return signPointer(this.c, w.signer, w.target, target, nextSequence(w.sequence))
  }

  /** WriterData.commit: put the block, then setPointer(current → new, seq + 1); tracks the new version when it succeeds. */
  async commit(w: WriterState, wd: WriterData, tid?: TransactionId): Promise<boolean> {
    const [cid] = await this.put(w.signer, [encodeWriterData(wd)], false, tid)
    if (w.target !== null && w.target.equals(cid)) return true
    const ok = await this.services.pointers.setPointer(this.owner, w.hash, this.nextUpdate(w, cid))
    if (ok) {
      w.target = cid
      w.sequence = nextSequence(w.sequence)
      w.wd = wd
    }
    return ok
  }

  private ownedKeysChamp(signer: Signer, tid: TransactionId): Champ {
    return new Champ({ store: new SigningBlockStore(this.c, this.services.storage, this.owner, signer, tid), crypto: this.c })
  }

  /** CryptreeNode.initAndAuthoriseSigner: a new key, its OwnerProof added to `parent`'s owned keys (parent committed first), then its empty WriterData. */
  async addWriter(parent: WriterState = this.identity): Promise<WriterState> {
    const child = new WriterState(newSigner(this.c))
    const root = await this.tx(async (tid) => {
      const champ = this.ownedKeysChamp(parent.signer, tid)
      const proof = buildOwnerProof(this.c, { publicKeyHash: child.hash, secretKey: child.signer.secretKey }, parent.hash)
      const [proofCid] = await this.put(parent.signer, [encodeOwnerProof(proof)], false, tid)
      const base = parent.wd.ownedKeys ?? (await champ.createEmpty())
      return champ.put(base, ownedKeyChampKey(child.hash), undefined, proofCid)
    })
    if (!(await this.commit(parent, { ...parent.wd, ownedKeys: root }))) throw new Error('parent commit failed')
    if (!(await this.commit(child, child.wd))) throw new Error('writer commit failed')
    return child
  }

  /** WriterData.removeOwnedKey + commit of the parent (FileWrapper.removeSigningKey's first step). */
  async removeWriter(child: WriterState, parent: WriterState = this.identity): Promise<void> {
    const root = await this.tx(async (tid) => {
      const champ = this.ownedKeysChamp(parent.signer, tid)
      const key = ownedKeyChampKey(child.hash)
      return champ.remove(parent.wd.ownedKeys!, key, await champ.get(parent.wd.ownedKeys!, key))
    })
    if (!(await this.commit(parent, { ...parent.wd, ownedKeys: root }))) throw new Error('parent commit failed')
  }
}

/** A user of a server under test reached through a StorageBundle (local services, or HTTP). */
export class TestUser extends WritingUser {
  private constructor(readonly bundle: StorageBundle, username: string, identity: Signer) {
    super(username, identity)
  }

  protected get services(): WritingServices {
    return this.bundle
  }

  /** Signs up: a new identity key (or `identity`), registered under `username`, with an empty WriterData committed. */
  static async create(bundle: StorageBundle, username: string, identity: Signer = newSigner(bundle.crypto)): Promise<TestUser> {
    const u = new TestUser(bundle, username, identity)
    await bundle.registerUser(username, u.owner)
    await u.commit(u.identity, u.identity.wd)
    return u
  }
}

/** The CID Peergos gives a block. */
export function cidOf(c: CryptoProvider, block: Uint8Array, raw: boolean): CID {
  return blockCid(c, block, raw)
}

let counter = 0
/** A fresh valid Peergos username. */
export function uniqueName(prefix = 'user'): string {
  return `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}`.toLowerCase().slice(0, 32)
}
