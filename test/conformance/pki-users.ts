// Builds what a Peergos client sends at signup (reference §5.3), for the conformance suites: random
// keys (login secrets too: no scrypt), the initial claim, and the OpLog src/client/signup.ts builds as
// a Peergos client does (identity owning the root writer, home directory, login data, mirror BAT).
import { encodeCbor } from '../../src/codec/cbor.ts'
import { blockCid, type CID } from '../../src/codec/cid.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { randomBat, type Bat } from '../../src/model/bat.ts'
import { sha256BatId, type BatId } from '../../src/model/bat-id.ts'
import { localDateOf, plusMonths } from '../../src/model/local-date.ts'
import { encodeLoginData, type LoginData } from '../../src/model/login-data.ts'
import type { BlockWrite, PointerWrite } from '../../src/model/op-log-writes.ts'
import type { OpLog } from '../../src/model/op-log.ts'
import { pointerUpdate, signPointerUpdate } from '../../src/model/pointer-update.ts'
import { buildProofOfWork, emptyProofOfWork } from '../../src/model/proof-of-work.ts'
import { defaultLoginAlgorithm } from '../../src/model/secret-generation-algorithm.ts'
import { publicKeyHash, type PublicKeyHash, type SigningPrivateKeyAndPublicHash } from '../../src/model/signing-keys.ts'
import { randomSymmetricKey, type SymmetricKey } from '../../src/model/symmetric-key.ts'
import { createInitialChain, encodeChain, type UserPublicKeyLink } from '../../src/model/user-public-key-link.ts'
import { encryptEntryPoints } from '../../src/model/user-static-data.ts'
import { randomHybridBoxingKeyPair, type BoxingKeyPair } from '../../src/model/boxing-key-pair.ts'
import type { CoreNode, RequiredDifficulty } from '../../src/services/core-node.ts'
import { buildSignup, type BuiltSignup } from '../../src/client/signup.ts'

export interface KeyPair {
  readonly publicKey: Uint8Array
  readonly secretKey: Uint8Array
  readonly hash: PublicKeyHash
  readonly signer: SigningPrivateKeyAndPublicHash
}

export interface TestUser {
  readonly username: string
  readonly serverId: CID
  readonly identity: KeyPair
  readonly login: KeyPair
  readonly loginRoot: SymmetricKey
  readonly boxer: BoxingKeyPair
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
    username, serverId, identity, login: keyPair(c), loginRoot: randomSymmetricKey(c), boxer: randomHybridBoxingKeyPair(c), rootWriter: keyPair(c),
    bat, batId: sha256BatId(c, bat), chain: createInitialChain(c, identity.signer, username, expiry, [serverId]),
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
  /** Corrupt the signature of the `i`-th block write. */
  readonly badBlockSignature?: number
  readonly login?: LoginData
  readonly withBat?: boolean
}

/** The user's signup as a Peergos client builds it (src/client/signup.ts), with the user's keys. */
export function buildTestSignup(c: CryptoProvider, u: TestUser): Promise<BuiltSignup> {
  return buildSignup(c, {
    username: u.username,
    homeServer: u.serverId,
    expiry: u.chain[0].claim.expiry,
    keys: {
      algorithm: defaultLoginAlgorithm(c), login: u.login, loginRoot: u.loginRoot, identity: u.identity, boxer: u.boxer,
      rootWriter: u.rootWriter, mirrorBat: u.bat,
    },
  })
}

/** A signup OpLog: identity WriterData owning the root writer, the root writer's home directory, both committed. */
export async function signupOpLog(c: CryptoProvider, u: TestUser, o: OpLogOptions = {}): Promise<OpLog> {
  const log = (await buildTestSignup(c, u)).opLog
  let blockIndex = 0
  const operations = log.operations.map((op) => {
    if (op.kind !== 'block' || blockIndex++ !== o.badBlockSignature) return op
    const signature = op.write.signature.slice()
    signature[3] ^= 1
    return { kind: 'block' as const, write: { ...op.write, signature } }
  })
  const login = o.login === undefined ? log.login : { data: o.login, auth: loginAuth(c, u.identity, o.login) }
  return { operations, ...(login === undefined ? {} : { login }), ...(o.withBat === false || log.mirrorBat === undefined ? {} : { mirrorBat: log.mirrorBat }) }
}

/** Signs up, doing the proof of work the server asks for (as UserContext.signupWithRetry does). */
export async function signUp(c: CryptoProvider, core: CoreNode, u: TestUser, opLog?: OpLog, token = ''): Promise<void> {
  const log = opLog ?? (await signupOpLog(c, u))
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
