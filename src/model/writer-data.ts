// WriterData (reference §3.2; Peergos WriterData): the block every signing key's pointer targets.
// CBOR map {controller, algorithm?, public?, inbound?, owned?, named?, static?, tree?, links?};
// absent optionals (and an empty `named`) are omitted.
import { decodeCbor, encodeCbor, type CborMap, type CborValue } from '../codec/cbor.ts'
import { asLink, cborMap, Fields } from '../codec/cbor-read.ts'
import type { CID } from '../codec/cid.ts'
import { ownerProofFromCbor, ownerProofToCbor, type OwnerProof } from './owner-proof.ts'
import { secretGenerationAlgorithmFromCbor, secretGenerationAlgorithmToCbor, type SecretGenerationAlgorithm } from './secret-generation-algorithm.ts'
import { publicKeyHashFromCbor, type PublicKeyHash } from './signing-keys.ts'
import { userStaticDataFromCbor, userStaticDataToCbor, type UserStaticData } from './user-static-data.ts'

export interface WriterData {
  /** The signing key whose pointer holds this block (the server checks it equals the pointer's writer). */
  readonly controller: PublicKeyHash
  /** Login key derivation parameters and public salt (identity keys). */
  readonly algorithm?: SecretGenerationAlgorithm
  /** Root of the publicly shared capabilities CHAMP (identity keys). */
  readonly publicData?: CID
  /** Hash of the follow-request boxing key (identity keys). */
  readonly followRequestReceiver?: PublicKeyHash
  /** Root of the owned-keys CHAMP. */
  readonly ownedKeys?: CID
  /** Named owned keys (only the PKI user "peergos"). */
  readonly namedOwnedKeys?: ReadonlyMap<string, OwnerProof>
  /** Legacy encrypted entry points. */
  readonly staticData?: UserStaticData
  /** Root of the filesystem CHAMP (writer keys). */
  readonly tree?: CID
  /** Root of the secret-links CHAMP (identity keys). */
  readonly secretLinks?: CID
}

/** WriterData.createEmpty: just the controller. */
export function emptyWriterData(controller: PublicKeyHash): WriterData {
  return { controller }
}

export function writerDataToCbor(w: WriterData): CborValue {
  let named: CborMap | undefined
  if (w.namedOwnedKeys !== undefined && w.namedOwnedKeys.size > 0) {
    named = new Map()
    for (const [k, proof] of w.namedOwnedKeys) named.set(k, ownerProofToCbor(proof))
  }
  return cborMap({
    algorithm: w.algorithm === undefined ? undefined : secretGenerationAlgorithmToCbor(w.algorithm),
    controller: w.controller,
    inbound: w.followRequestReceiver,
    links: w.secretLinks,
    named,
    owned: w.ownedKeys,
    public: w.publicData,
    static: w.staticData === undefined ? undefined : userStaticDataToCbor(w.staticData),
    tree: w.tree,
  })
}

export function writerDataFromCbor(v: CborValue): WriterData {
  const f = Fields.of(v, 'WriterData')
  const link = (key: string): CID | undefined => {
    const x = f.raw(key)
    return x === undefined ? undefined : asLink(x, `WriterData.${key}`)
  }
  const algorithm = f.raw('algorithm')
  const inbound = f.raw('inbound')
  const staticData = f.raw('static')
  let namedOwnedKeys: Map<string, OwnerProof> | undefined
  const named = f.raw('named')
  if (named !== undefined) {
    namedOwnedKeys = new Map()
    for (const [k, proof] of Fields.of(named, 'WriterData.named').map) namedOwnedKeys.set(k, ownerProofFromCbor(proof))
  }
  const out: { -readonly [K in keyof WriterData]: WriterData[K] } = { controller: publicKeyHashFromCbor(f.req('controller'), 'WriterData.controller') }
  if (algorithm !== undefined) out.algorithm = secretGenerationAlgorithmFromCbor(algorithm)
  const publicData = link('public')
  if (publicData !== undefined) out.publicData = publicData
  if (inbound !== undefined) out.followRequestReceiver = publicKeyHashFromCbor(inbound, 'WriterData.inbound')
  const owned = link('owned')
  if (owned !== undefined) out.ownedKeys = owned
  if (namedOwnedKeys !== undefined && namedOwnedKeys.size > 0) out.namedOwnedKeys = namedOwnedKeys
  if (staticData !== undefined) out.staticData = userStaticDataFromCbor(staticData)
  const tree = link('tree')
  if (tree !== undefined) out.tree = tree
  const links = link('links')
  if (links !== undefined) out.secretLinks = links
  return out
}

export function encodeWriterData(w: WriterData): Uint8Array {
  return encodeCbor(writerDataToCbor(w))
}

export function decodeWriterData(bytes: Uint8Array): WriterData {
  return writerDataFromCbor(decodeCbor(bytes, { maxDepth: 6 }))
}
