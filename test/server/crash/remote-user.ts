// A real user of a server reached over HTTP only (reference §5.3, §3.2, §3.3): signed up with a
// claim chain naming the server and an empty OpLog (proof of work as the server asks), then writing
// like a Peergos client: signed blocks in transactions, WriterData commits by CAS, owned writers.
import { Champ } from '../../../src/champ/champ.ts'
import type { CID } from '../../../src/codec/cid.ts'
import type { CryptoProvider } from '../../../src/crypto/provider.ts'
import { localDateOf, plusMonths } from '../../../src/model/local-date.ts'
import { buildOwnerProof, encodeOwnerProof } from '../../../src/model/owner-proof.ts'
import { nextSequence } from '../../../src/model/pointer-update.ts'
import { buildProofOfWork, emptyProofOfWork } from '../../../src/model/proof-of-work.ts'
import type { PublicKeyHash } from '../../../src/model/signing-keys.ts'
import { createInitialChain, encodeChain } from '../../../src/model/user-public-key-link.ts'
import { encodeWriterData, type WriterData } from '../../../src/model/writer-data.ts'
import type { ContentAddressedStorage, TransactionId } from '../../../src/services/content-addressed-storage.ts'
import type { CoreNode } from '../../../src/services/core-node.ts'
import type { MutablePointers } from '../../../src/services/mutable-pointers.ts'
import { newSigner, ownedKeyChampKey, signBlock, signPointer, SigningBlockStore, WriterState, type Signer } from '../services/storage-fixtures.ts'

/** What a user needs of a server: its storage, pointers and PKI (e.g. httpNetworkServices) and a crypto provider. */
export interface RemoteServer {
  readonly crypto: CryptoProvider
  readonly storage: ContentAddressedStorage
  readonly pointers: MutablePointers
  readonly coreNode: CoreNode
}

export class RemoteUser {
  readonly identity: WriterState

  private constructor(private srv: RemoteServer, readonly username: string, identity: Signer) {
    this.identity = new WriterState(identity)
  }

  get server(): RemoteServer {
    return this.srv
  }

  /** Talks to the server through `server` from now on (e.g. after the daemon restarted on another port). */
  connect(server: RemoteServer): void {
    this.srv = server
  }

  get c(): CryptoProvider {
    return this.server.crypto
  }

  get owner(): PublicKeyHash {
    return this.identity.hash
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

  async tx<T>(fn: (tid: TransactionId) => Promise<T>): Promise<T> {
    const tid = await this.server.storage.startTransaction(this.owner)
    try {
      return await fn(tid)
    } finally {
      await this.server.storage.closeTransaction(this.owner, tid)
    }
  }

  /** Puts blocks signed by `signer` (in a transaction of their own unless `tid` is given). */
  async put(signer: Signer, blocks: Uint8Array[], raw: boolean, tid?: TransactionId): Promise<CID[]> {
    const sigs = blocks.map((b) => signBlock(this.c, signer, b))
    if (tid !== undefined) return this.server.storage.put(this.owner, signer.publicKeyHash, sigs, blocks, tid, raw)
    return this.tx((t) => this.server.storage.put(this.owner, signer.publicKeyHash, sigs, blocks, t, raw))
  }

  /** The signed update moving `w` to `target` with the next sequence. */
  nextUpdate(w: WriterState, target: CID | null): Uint8Array {
    return signPointer(this.c, w.signer, w.target, target, nextSequence(w.sequence))
  }

  /** WriterData.commit: put the block, then setPointer(current → new, seq + 1); tracks the new version when it succeeds. */
  async commit(w: WriterState, wd: WriterData, tid?: TransactionId): Promise<boolean> {
    const [cid] = await this.put(w.signer, [encodeWriterData(wd)], false, tid)
    if (w.target !== null && w.target.equals(cid)) return true
    const ok = await this.server.pointers.setPointer(this.owner, w.hash, this.nextUpdate(w, cid))
    if (ok) {
      w.target = cid
      w.sequence = nextSequence(w.sequence)
      w.wd = wd
    }
    return ok
  }

  /** CryptreeNode.initAndAuthoriseSigner: a new key, its OwnerProof in `parent`'s owned keys (parent committed first), then its empty WriterData. */
  async addWriter(parent: WriterState = this.identity): Promise<WriterState> {
    const child = new WriterState(newSigner(this.c))
    const root = await this.tx(async (tid) => {
      const store = new SigningBlockStore(this.c, this.server.storage, this.owner, parent.signer, tid)
      const champ = new Champ({ store, crypto: this.c })
      const proof = buildOwnerProof(this.c, { publicKeyHash: child.hash, secretKey: child.signer.secretKey }, parent.hash)
      const proofCid = await store.put(encodeOwnerProof(proof), false)
      const base = parent.wd.ownedKeys ?? (await champ.createEmpty())
      return champ.put(base, ownedKeyChampKey(child.hash), undefined, proofCid)
    })
    if (!(await this.commit(parent, { ...parent.wd, ownedKeys: root }))) throw new Error('parent commit failed')
    if (!(await this.commit(child, child.wd))) throw new Error('writer commit failed')
    return child
  }
}
