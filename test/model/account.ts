// Logs a user of the real account dump in, the way a Peergos client does (reference §5.2 sign-in steps
// 2-5): identity pointer → identity WriterData → `algorithm` → scrypt → login keys and root key →
// login row (UserStaticData + reader) → decrypted EntryPoints. Shared by the model tests that need real login data.
import { readFileSync } from 'node:fs'
import { decodeCbor } from '../../src/codec/cbor.ts'
import { cidToString, parseCid, type CID } from '../../src/codec/cid.ts'
import { loginScrypt, splitLoginSecret } from '../../src/crypto/peergos.ts'
import type { CryptoProvider, SigningKeyPairBytes } from '../../src/crypto/provider.ts'
import type { LoginData } from '../../src/model/login-data.ts'
import { openSignedPointerUpdate } from '../../src/model/pointer-update.ts'
import { SECRET_TYPE_SCRYPT } from '../../src/model/secret-generation-algorithm.ts'
import { publicKeyFromHash, publicSigningKeyFromCbor } from '../../src/model/signing-keys.ts'
import { symmetricKey, type SymmetricKey } from '../../src/model/symmetric-key.ts'
import { decryptEntryPoints, userStaticDataFromCbor, type EntryPoints } from '../../src/model/user-static-data.ts'
import { decodeWriterData, type WriterData } from '../../src/model/writer-data.ts'
import { hex, loadVector, vectorPath } from '../vectors.ts'

export interface LoggedIn {
  identity: CID
  identityWriterData: WriterData
  loginKeys: SigningKeyPairBytes
  rootKey: SymmetricKey
  loginData: LoginData
  entryPoints: EntryPoints
}

export function readBlock(cid: CID): Uint8Array {
  return new Uint8Array(readFileSync(vectorPath('account-alice', 'blocks', `${cidToString(cid)}.bin`)))
}

export function identityWriterData(c: CryptoProvider, identityString: string): WriterData {
  const identity = parseCid(identityString)
  const row = loadVector('account-alice/pointers.json').pointers.find((p: { writer: string }) => p.writer === identityString)
  const pointer = openSignedPointerUpdate(c, publicKeyFromHash(identity)!, hex(row.signedPointerHex))
  return decodeWriterData(readBlock(pointer.updated!))
}

/**
 * The server's `login` row as LoginData. JdbcAccount stores entry = UserStaticData.serialize() (the
 * padded ciphertext, not the whole LoginData) and reader = the login public key's CBOR.
 */
export function loginDataOfRow(username: string): LoginData {
  const row = loadVector('account-alice/login-rows.json').rows.find((r: { username: string }) => r.username === username)
  return {
    username,
    entryPoints: userStaticDataFromCbor(decodeCbor(hex(row.entryHex))),
    authorisedReader: publicSigningKeyFromCbor(decodeCbor(hex(row.readerHex))),
  }
}

export async function logIn(c: CryptoProvider, username: string, password?: string): Promise<LoggedIn> {
  const user = loadVector('account-alice/manifest.json').users[username]
  const identity = parseCid(user.identity)
  const wd = identityWriterData(c, user.identity)
  if (wd.algorithm?.type !== SECRET_TYPE_SCRYPT) throw new Error('identity WriterData has no scrypt algorithm')
  const secrets = splitLoginSecret(await loginScrypt(c, username, password ?? user.password, wd.algorithm))
  const loginKeys = c.signKeyPairFromSeed(secrets.loginSeed)
  const rootKey = symmetricKey(secrets.rootKey)
  const loginData = loginDataOfRow(username)
  return { identity, identityWriterData: wd, loginKeys, rootKey, loginData, entryPoints: decryptEntryPoints(c, rootKey, loginData.entryPoints) }
}
