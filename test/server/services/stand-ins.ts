// TEMPORARY STAND-INS for the account/social/PKI tests: small but real in-memory implementations of
// ContentAddressedStorage and MutablePointers (writer signatures of sha256(block), size cap, pointer
// signature + CAS + sequence + controller). They check no ownership or quota; the server's
// LocalContentAddressedStorage / LocalMutablePointers replace them in the integration test.
import { blockCid, cidToString, equalBytes, isIdentity, type CID } from '../../../src/codec/cid.ts'
import { InvalidSignatureError } from '../../../src/crypto/errors.ts'
import type { CryptoProvider } from '../../../src/crypto/provider.ts'
import type { SignedPointerUpdate } from '../../../src/model/multi-writer-commit.ts'
import { validateSignedPointerUpdate } from '../../../src/model/pointer-update.ts'
import { publicKeyFromHash, type PublicKeyHash } from '../../../src/model/signing-keys.ts'
import { decodeWriterData } from '../../../src/model/writer-data.ts'
import { MAX_BLOCK_SIZE, type ContentAddressedStorage, type TransactionId } from '../../../src/services/content-addressed-storage.ts'
import type { MutablePointers } from '../../../src/services/mutable-pointers.ts'

export class TemporaryMemoryStorage implements ContentAddressedStorage {
  readonly blocks = new Map<string, Uint8Array>()
  readonly open = new Set<string>()
  private n = 0
  /** Fault injection: a put by a writer for which this returns an error fails with it. */
  failPut: ((writer: PublicKeyHash) => Error | undefined) | undefined

  constructor(private readonly c: CryptoProvider, private readonly serverId: CID) {}

  async id(): Promise<CID> { return this.serverId }
  async ids(): Promise<CID[]> { return [this.serverId] }

  async startTransaction(_owner: PublicKeyHash): Promise<TransactionId> {
    const tid = `tid-${++this.n}`
    this.open.add(tid)
    return tid
  }

  async closeTransaction(_owner: PublicKeyHash, tid: TransactionId): Promise<void> {
    this.open.delete(tid)
  }

  async put(_owner: PublicKeyHash, writer: PublicKeyHash, signatures: Uint8Array[], blocks: Uint8Array[], tid: TransactionId, raw: boolean): Promise<CID[]> {
    if (!this.open.has(tid)) throw new Error(`unknown transaction ${tid}`)
    const fault = this.failPut?.(writer)
    if (fault !== undefined) throw fault
    const key = publicKeyFromHash(writer)
    if (key === undefined) throw new Error('stand-in supports identity writer keys only')
    const cids = blocks.map((b, i) => {
      if (b.length > MAX_BLOCK_SIZE) throw new Error('block too big')
      if (!equalBytes(this.c.openAttached(signatures[i], key), this.c.sha256(b))) throw new InvalidSignatureError('Invalid signature for block!')
      return blockCid(this.c, b, raw)
    })
    cids.forEach((cid, i) => this.blocks.set(cidToString(cid), blocks[i].slice()))
    return cids
  }

  async get(_owner: PublicKeyHash, cid: CID): Promise<Uint8Array | undefined> {
    if (isIdentity(cid)) return cid.multihash.digest.slice()
    return this.blocks.get(cidToString(cid))
  }

  async getChampLookup(): Promise<Uint8Array[]> { throw new Error('not in the stand-in') }
  async getSize(owner: PublicKeyHash, cid: CID): Promise<number | undefined> { return (await this.get(owner, cid))?.length }
  async getSecretLink(): Promise<never> { throw new Error('not in the stand-in') }
}

export class TemporaryMemoryPointers implements MutablePointers {
  readonly pointers = new Map<string, Uint8Array>()
  /** Fault injection: setPointers fails with this error. */
  failSetPointers: Error | undefined

  constructor(private readonly c: CryptoProvider, private readonly storage: ContentAddressedStorage) {}

  private async validate(owner: PublicKeyHash, writer: PublicKeyHash, signed: Uint8Array): Promise<void> {
    const key = publicKeyFromHash(writer)
    if (key === undefined) throw new Error('stand-in supports identity writer keys only')
    const next = validateSignedPointerUpdate(this.c, key, this.pointers.get(cidToString(writer)), signed)
    if (next.updated === null) return
    const block = await this.storage.get(owner, next.updated)
    if (block === undefined || !decodeWriterData(block).controller.equals(writer)) throw new Error('WriterData controller mismatch')
  }

  async setPointer(owner: PublicKeyHash, writer: PublicKeyHash, signedUpdate: Uint8Array): Promise<boolean> {
    await this.validate(owner, writer, signedUpdate)
    this.pointers.set(cidToString(writer), signedUpdate)
    return true
  }

  async setPointers(owner: PublicKeyHash, updates: SignedPointerUpdate[]): Promise<boolean> {
    if (this.failSetPointers !== undefined) throw this.failSetPointers
    if (new Set(updates.map((u) => cidToString(u.writer))).size !== updates.length) return false
    for (const u of updates) await this.validate(owner, u.writer, u.signed)
    for (const u of updates) this.pointers.set(cidToString(u.writer), u.signed)
    return true
  }

  async getPointer(_owner: PublicKeyHash, writer: PublicKeyHash): Promise<Uint8Array | undefined> {
    return this.pointers.get(cidToString(writer))
  }
}
