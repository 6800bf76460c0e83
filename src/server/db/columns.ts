// Peergos' text encodings of keys in SQL columns (JdbcIpnsAndSocial, JdbcAccount, JdbcBatCave):
// base64 of the CBOR serialisation (a PublicKeyHash is a tag-42 link, a BatId a byte string).
import { decodeCbor, encodeCbor } from '../../codec/cbor.ts'
import { publicKeyHashFromCbor, type PublicKeyHash } from '../../model/signing-keys.ts'
import { fromBase64, toBase64 } from './sql.ts'

/** base64(CBOR link) of a writer or identity PublicKeyHash: `metadatablobs.writingkey`, `pendinglogin.writer`. */
export function publicKeyHashColumn(key: PublicKeyHash): string {
  return toBase64(encodeCbor(key))
}

export function publicKeyHashFromColumn(v: unknown, what = 'writingkey'): PublicKeyHash {
  return publicKeyHashFromCbor(decodeCbor(fromBase64(v, what)), what)
}
