// Builds what a Peergos client sends at signup (reference §5.3), for the conformance suites: a
// random identity and login key, the initial claim, and an OpLog with the identity and root-writer
// WriterData (blocks + pointers), login data signed by the identity and a signed mirror BAT.
import { encodeCbor } from '../../src/codec/cbor.ts'
import { blockCid, type CID } from '../../src/codec/cid.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { randomBat, type Bat } from '../../src/model/bat.ts'
import { sha256BatId, type BatId } from '../../src/model/bat-id.ts'
import { localDateOf, plusMonths } from '../../src/model/local-date.ts'
import { encodeLoginData, type LoginData } from '../../src/model/login-data.ts'
import type { BlockWrite, PointerWrite } from '../../src/model/op-log-writes.ts'
import type { OpLog, OpLogOperation } from '../../src/model/op-log.ts'
import { pointerUpdate, signPointerUpdate } from '../../src/model/pointer-update.ts'
import { buildProofOfWork, emptyProofOfWork } from '../../src/model/proof-of-work.ts'
import { publicKeyHash, type PublicKeyHash, type SigningPrivateKeyAndPublicHash } from '../../src/model/signing-keys.ts'
import { randomSymmetricKey } from '../../src/model/symmetric-key.ts'
import { createInitialChain, encodeChain, type UserPublicKeyLink } from '../../src/model/user-public-key-link.ts'
import { encryptEntryPoints } from '../../src/model/user-static-data.ts'
import { encodeWriterData, type WriterData } from '../../src/model/writer-data.ts'
import type { CoreNode, RequiredDifficulty } from '../../src/services/core-node.ts'

export interface KeyPair {
  readonly publicKey: Uint8Array
  readonly secretKey: Uint8Array
  readonly hash: PublicKeyHash
  readonly signer: SigningPrivateKeyAndPublicHash
}

export interface TestUser {
  readonly username: string
  readonly identity: KeyPair
  readonly login: KeyPair
  readonly rootWriter: KeyPair
  readonly chain: UserPublicKeyLink[]
  readonly bat: Bat
  readonly batId: BatId
}

export function keyPair(c: CryptoProvider): KeyPair {
  const kp = c.signKeyPairFromSeed(c.randomBytes(32))
  const hash = publicKeyHash(kp.publicKey)
  return { publicKey: kp.publicKey, secretKey: kp.secretKey, hash, signer: { publicKeyHash: hash, secretKey: kp.secretKey } }
}

export function newUser(c: CryptoProvider, username: string, serverId: CID, identity: KeyPair = keyPair(c)): TestUser {
  const expiry = plusMonths(localDateOf(new Date()), 2)
  const bat = randomBat(c)
  return {
    username, identity, login: keyPair(c), rootWriter: keyPair(c), bat, batId: sha256BatId(c, bat),
    chain: createInitialChain(c, identity.signer, username, expiry, [serverId]),
  }
}

export function signedBlock(c: CryptoProvider, writer: KeyPair, block: Uint8Array): BlockWrite {
  return { writer: writer.hash, signature: c.signAttached(c.sha256(block), writer.secretKey), block, isRaw: false }
}

export function firstPointer(c: CryptoProvider, writer: KeyPair, target: CID): PointerWrite {
  return { writer: writer.hash, signedUpdate: signPointerUpdate(c, writer.secretKey, pointerUpdate(null, target, 1)) }
}

export function loginDataFor(c: CryptoProvider, u: TestUser): LoginData {
  return { username: u.username, entryPoints: encryptEntryPoints(c, randomSymmetricKey(c), { version: 2, entries: [] }), authorisedReader: u.login.publicKey }
}

/** The identity's 64-byte detached signature of the LoginData CBOR (Account.setLoginData with the identity). */
export function loginAuth(c: CryptoProvider, identity: KeyPair, login: LoginData): Uint8Array {
  return c.signDetached(encodeLoginData(login), identity.secretKey)
}

export function signedRequestAuth(c: CryptoProvider, key: KeyPair, path: string, millis = Date.now()): Uint8Array {
  return c.signAttached(encodeCbor(new Map<string, number | string>([['p', path], ['t', millis]])), key.secretKey)
}

export function signedTime(c: CryptoProvider, key: KeyPair, millis = Date.now()): Uint8Array {
  return c.signAttached(encodeCbor(millis), key.secretKey)
}

export interface OpLogOptions {
  /** Corrupt the signature of block number `i`. */
  readonly badBlockSignature?: number
  readonly login?: LoginData
  readonly withBat?: boolean
}

/** A signup OpLog: identity WriterData (owning nothing yet) and the root writer's WriterData, both committed. */
export function signupOpLog(c: CryptoProvider, u: TestUser, o: OpLogOptions = {}): OpLog {
  const identityWd: WriterData = { controller: u.identity.hash }
  const rootWd: WriterData = { controller: u.rootWriter.hash }
  const blocks = [signedBlock(c, u.identity, encodeWriterData(identityWd)), signedBlock(c, u.rootWriter, encodeWriterData(rootWd))]
  if (o.badBlockSignature !== undefined) {
    const b = blocks[o.badBlockSignature]
    const sig = b.signature.slice()
    sig[3] ^= 1
    blocks[o.badBlockSignature] = { ...b, signature: sig }
  }
  const ops: OpLogOperation[] = [
    ...blocks.map((write) => ({ kind: 'block' as const, write })),
    { kind: 'pointer', write: firstPointer(c, u.identity, blockCid(c, encodeWriterData(identityWd), false)) },
    { kind: 'pointer', write: firstPointer(c, u.rootWriter, blockCid(c, encodeWriterData(rootWd), false)) },
  ]
  const login = o.login ?? loginDataFor(c, u)
  return {
    operations: ops,
    login: { data: login, auth: loginAuth(c, u.identity, login) },
    ...(o.withBat === false ? {} : { mirrorBat: { bat: { bat: u.bat, id: u.batId }, auth: signedRequestAuth(c, u.identity, 'peergos/v0/bats/addBat') } }),
  }
}

/** Signs up, doing the proof of work the server asks for (as UserContext.signupWithRetry does). */
export async function signUp(c: CryptoProvider, core: CoreNode, u: TestUser, log: OpLog = signupOpLog(c, u), token = ''): Promise<void> {
  let pow = emptyProofOfWork()
  for (let i = 0; i < 3; i++) {
    const r: RequiredDifficulty | undefined = await core.signup(u.username, u.chain[0], log, pow, token)
    if (r === undefined) return
    pow = buildProofOfWork(c, encodeChain(u.chain), r.difficulty)
  }
  throw new Error('signup kept asking for more work')
}

/** updateChain with the same proof-of-work retries. */
export async function updateChain(c: CryptoProvider, core: CoreNode, username: string, chain: UserPublicKeyLink[]): Promise<void> {
  let pow = emptyProofOfWork()
  for (let i = 0; i < 3; i++) {
    const r = await core.updateChain(username, chain, pow, '')
    if (r === undefined) return
    pow = buildProofOfWork(c, encodeChain(chain), r.difficulty)
  }
  throw new Error('updateChain kept asking for more work')
}
