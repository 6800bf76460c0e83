// Sign-in with a username and password alone (reference §5.1-§5.2, Peergos UserContext.signIn):
// PKI lookup of the identity → its signed pointer → identity WriterData → the public scrypt
// parameters → scrypt(sha256(password), username + salt) → login key pair and root key →
// getLogin authorised by the login key's signed time (answering a second-factor request through the
// optional `mfa` callback, reference §5.4) → decrypted entry points. Nothing secret leaves the client;
// a wrong password fails with IncorrectPasswordError.
import { blockCid, cidToString } from '../codec/cid.ts'
import { loginScrypt, splitLoginSecret } from '../crypto/peergos.ts'
import type { SigningKeyPairBytes } from '../crypto/provider.ts'
import { DecryptionFailedError } from '../crypto/errors.ts'
import { IncorrectPasswordError } from '../model/errors.ts'
import { SECRET_TYPE_SCRYPT, SCRYPT_LOGIN_MEMORY_COST } from '../model/secret-generation-algorithm.ts'
import type { PublicKeyHash } from '../model/signing-keys.ts'
import { symmetricKey, type SymmetricKey } from '../model/symmetric-key.ts'
import { chainOwner, type UserPublicKeyLink } from '../model/user-public-key-link.ts'
import { decryptEntryPoints, type EntryPoints } from '../model/user-static-data.ts'
import { decodeWriterData, type WriterData } from '../model/writer-data.ts'
import type { NetworkAccess } from '../services/network-access.ts'
import { NotFoundError } from './errors.ts'
import { getLoginDataWithMfa, type MfaResponder } from './mfa.ts'
import type { BuiltSignup, LoginSecrets } from './signup.ts'
import { TreeReader } from './tree-reader.ts'

/** Upper bound on the scrypt cost a server can make a client pay (2^20 × 8 × 128 B = 1 GiB). */
export const MAX_LOGIN_MEMORY_COST = 20

export interface SignedIn {
  readonly username: string
  /** The claim chain the PKI returned at sign-in. */
  readonly chain: readonly UserPublicKeyLink[]
  readonly identity: PublicKeyHash
  readonly identityWriterData: WriterData
  readonly loginKeys: SigningKeyPairBytes
  readonly rootKey: SymmetricKey
  readonly entryPoints: EntryPoints
  readonly reader: TreeReader
}

/** `mfa` answers the server's MultiFactorAuthRequest when the account has a second factor; without it that is an MfaRequiredError. */
export async function signIn(net: Pick<NetworkAccess, 'crypto' | 'coreNode' | 'storage' | 'pointers' | 'account'>, username: string, password: string, mfa?: MfaResponder): Promise<SignedIn> {
  return signInWith(net, username, { password }, mfa)
}

/** The login secrets of a signup just made (scrypt already ran): the sign-in that follows skips it. */
export interface KnownLoginSecrets {
  readonly login: SigningKeyPairBytes
  readonly loginRoot: SymmetricKey
}

export async function signInWith(net: Pick<NetworkAccess, 'crypto' | 'coreNode' | 'storage' | 'pointers' | 'account'>, username: string, credentials: { password: string } | { secrets: KnownLoginSecrets }, mfa?: MfaResponder): Promise<SignedIn> {
  const c = net.crypto
  const chain = await net.coreNode.getChain(username)
  const identity = chainOwner(chain)
  if (identity === undefined) throw new NotFoundError(`Unknown user ${username}`)
  const reader = new TreeReader(net)
  const wd = await reader.writerData(identity, identity)
  // Peergos' message for an identity whose pointer is empty (a deleted account)
  if (wd === undefined) throw new NotFoundError(`User has been deleted. Did you mean a different username? (no identity data for ${username}, ${cidToString(identity)})`)
  const algorithm = wd.algorithm
  if (algorithm?.type !== SECRET_TYPE_SCRYPT) throw new NotFoundError(`${username} has no password login`)
  if (algorithm.memoryCost < SCRYPT_LOGIN_MEMORY_COST || algorithm.memoryCost > MAX_LOGIN_MEMORY_COST) {
    throw new NotFoundError(`Refusing login parameters with scrypt memory cost ${algorithm.memoryCost}`)
  }
  let loginKeys: SigningKeyPairBytes
  let rootKey: SymmetricKey
  if ('secrets' in credentials) {
    loginKeys = credentials.secrets.login
    rootKey = credentials.secrets.loginRoot
  } else {
    const secrets = splitLoginSecret(await loginScrypt(c, username, credentials.password, algorithm))
    loginKeys = c.signKeyPairFromSeed(secrets.loginSeed)
    rootKey = symmetricKey(secrets.rootKey)
  }
  const data = await getLoginDataWithMfa(net, username, loginKeys, mfa)
  let entryPoints: EntryPoints
  try {
    entryPoints = decryptEntryPoints(c, rootKey, data)
  } catch (e) {
    if (e instanceof DecryptionFailedError) throw new IncorrectPasswordError('Incorrect username or password', { cause: e })
    throw e
  }
  return { username, identity, identityWriterData: wd, loginKeys, rootKey, entryPoints, reader, chain }
}

/**
 * The signed-in state right after a signup this client built and the server accepted (all or nothing):
 * the claim, keys and entry points are the ones just sent, and the OpLog's blocks (both WriterData, the
 * CHAMPs, the home directory) are cached as verified, so no PKI, pointer or login round trip repeats
 * what is already known. The pointers are still read, and checked, when the tree is first used.
 */
export function signedInAfterSignup(net: Pick<NetworkAccess, 'crypto' | 'storage' | 'pointers'>, built: BuiltSignup, secrets: LoginSecrets): SignedIn {
  const c = net.crypto
  const reader = new TreeReader(net)
  let identityWriterData: WriterData | undefined
  for (const op of built.opLog.operations) {
    if (op.kind !== 'block') continue
    const cid = blockCid(c, op.write.block, op.write.isRaw)
    reader.blockCache.set(cid, op.write.block)
    if (cid.equals(built.identityWriterData)) identityWriterData = decodeWriterData(op.write.block)
  }
  if (identityWriterData === undefined) throw new NotFoundError('The signup holds no identity WriterData')
  reader.pointers.observe(built.identity.publicKeyHash, 1)
  reader.pointers.observe(built.rootWriter.publicKeyHash, 1)
  return {
    username: built.username, chain: [built.chain], identity: built.identity.publicKeyHash, identityWriterData,
    loginKeys: secrets.login, rootKey: secrets.loginRoot, entryPoints: built.entryPoints, reader,
  }
}
