// LoginData (reference §5.2; Peergos LoginData): {u: username, e: UserStaticData, r: authorised reader
// (the login public signing key), b?: BlockWrite, p?: PointerWrite}; the optional pair is an identity
// WriterData update committed atomically with a password change (both or neither).
import { decodeCbor, encodeCbor, type CborValue } from '../codec/cbor.ts'
import { cborMap, Fields } from '../codec/cbor-read.ts'
import { CborTypeError } from '../codec/errors.ts'
import { blockWriteFromCbor, blockWriteToCbor, pointerWriteFromCbor, pointerWriteToCbor, type BlockWrite, type PointerWrite } from './op-log-writes.ts'
import { publicSigningKeyFromCbor, publicSigningKeyToCbor } from './signing-keys.ts'
import { userStaticDataFromCbor, userStaticDataToCbor, type UserStaticData } from './user-static-data.ts'

export interface LoginData {
  readonly username: string
  readonly entryPoints: UserStaticData
  /** The login Ed25519 public key, which must sign getLogin requests. */
  readonly authorisedReader: Uint8Array
  readonly identityUpdate?: { readonly block: BlockWrite; readonly pointer: PointerWrite }
}

export function loginDataToCbor(d: LoginData): CborValue {
  return cborMap({
    b: d.identityUpdate === undefined ? undefined : blockWriteToCbor(d.identityUpdate.block),
    e: userStaticDataToCbor(d.entryPoints),
    p: d.identityUpdate === undefined ? undefined : pointerWriteToCbor(d.identityUpdate.pointer),
    r: publicSigningKeyToCbor(d.authorisedReader),
    u: d.username,
  })
}

export function loginDataFromCbor(v: CborValue): LoginData {
  const f = Fields.of(v, 'LoginData')
  const base = {
    username: f.string('u'),
    entryPoints: userStaticDataFromCbor(f.req('e')),
    authorisedReader: publicSigningKeyFromCbor(f.req('r')),
  }
  const b = f.raw('b')
  const p = f.raw('p')
  if (b === undefined && p === undefined) return base
  if (b === undefined || p === undefined) throw new CborTypeError('LoginData: b and p must be present together')
  return { ...base, identityUpdate: { block: blockWriteFromCbor(b), pointer: pointerWriteFromCbor(p) } }
}

export function encodeLoginData(d: LoginData): Uint8Array {
  return encodeCbor(loginDataToCbor(d))
}

export function decodeLoginData(bytes: Uint8Array): LoginData {
  return loginDataFromCbor(decodeCbor(bytes, { maxDepth: 4 }))
}
