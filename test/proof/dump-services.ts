// The blocks and signed pointers of the account dump written by the real Peergos
// (../shared/peergos-vectors/account-alice), loaded into memory and served through the
// ContentAddressedStorage and MutablePointers interfaces (read-only; champ lookups answered by our
// CHAMP over the dump), as an untrusting client sees them.
import { readFileSync } from 'node:fs'
import { cidToString, parseCid, type CID } from '../../src/codec/cid.ts'
import type { PublicKeyHash } from '../../src/model/signing-keys.ts'
import type { ChunkMirrorCap, ContentAddressedStorage } from '../../src/services/content-addressed-storage.ts'
import { Champ, type BlockStore } from '../../src/champ/index.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import type { MutablePointers } from '../../src/services/mutable-pointers.ts'
import { hex, loadVector, vectorPath } from '../vectors.ts'

function readOnly(): never {
  throw new Error('the account dump is read-only')
}

export function loadDump(crypto: CryptoProvider): { storage: ContentAddressedStorage; pointers: MutablePointers; blockCount: number } {
  const blocks = new Map<string, Uint8Array>()
  for (const b of loadVector('account-alice/blocks.json').blocks) {
    blocks.set(b.cid, new Uint8Array(readFileSync(vectorPath('account-alice', 'blocks', `${b.cid}.bin`))))
  }
  const signed = new Map<string, Uint8Array>()
  for (const p of loadVector('account-alice/pointers.json').pointers) signed.set(p.writer, hex(p.signedPointerHex))
  const store: BlockStore = {
    get: async (cid: CID) => blocks.get(cidToString(cid)),
    put: readOnly,
  }
  const champ = new Champ({ store, crypto, keyHash: 'identity' })
  const serverId = parseCid(loadVector('account-alice/manifest.json').server['serverId(pki-node-id)'])

  const storage: ContentAddressedStorage = {
    id: async () => serverId,
    ids: async () => [serverId],
    startTransaction: readOnly,
    closeTransaction: readOnly,
    put: readOnly,
    get: async (_owner: PublicKeyHash, cid: CID) => blocks.get(cidToString(cid)),
    getChampLookup: async (_owner: PublicKeyHash, root: CID, caps: ChunkMirrorCap[]) => {
      const out: Uint8Array[] = []
      for (const cap of caps) {
        const { value, path } = await champ.lookup(root, cap.mapKey)
        for (const b of path) out.push(b.bytes)
        const v = value === undefined ? undefined : blocks.get(cidToString(value))
        if (v !== undefined) out.push(v)
      }
      return out
    },
    getSize: async (_owner: PublicKeyHash, cid: CID) => blocks.get(cidToString(cid))?.length,
    getSecretLink: readOnly,
  }
  const pointers: MutablePointers = {
    setPointer: readOnly,
    setPointers: readOnly,
    getPointer: async (_owner: PublicKeyHash, writer: PublicKeyHash) => signed.get(cidToString(writer)),
  }
  return { storage, pointers, blockCount: blocks.size }
}
