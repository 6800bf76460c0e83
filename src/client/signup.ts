// Signup as a Peergos client does it (reference §3.4, §5.3; UserContext.signUpGeneral, createEntryDirectory):
// random identity, hybrid boxer, root writer and mirror BAT; one OpLog with the identity's WriterData
// (login algorithm, boxer hash, owned-keys CHAMP holding the root writer's OwnerProof), the root writer's
// WriterData (tree CHAMP holding the home directory), both pointers, the login data and the mirror BAT.
import { encodeCbor } from '../codec/cbor.ts'
import { blockCid, isIdentity, type CID } from '../codec/cid.ts'
import { Champ, cidKey, MemoryBlockStore } from '../champ/index.ts'
import { loginScrypt, splitLoginSecret } from '../crypto/peergos.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import { PeergosError } from '../errors.ts'
import { batWithId, sha256BatId, type BatId } from '../model/bat-id.ts'
import { randomBat, type Bat } from '../model/bat.ts'
import { publicBoxingKeyHash, publicBoxingKeyToCbor, randomHybridBoxingKeyPair, type BoxingKeyPair } from '../model/boxing-key-pair.ts'
import { MAP_KEY_BYTES, type WritableAbsoluteCapability } from '../model/capability.ts'
import { encodeCryptreeNode } from '../model/cryptree-node.ts'
import { newDirectory, type ParentDir } from './cryptree-build.ts'
import type { EntryPoint } from '../model/entry-point.ts'
import { timestampFromMillis } from '../model/file-properties.ts'
import { localDateOf, plusMonths, type LocalDate } from '../model/local-date.ts'
import { encodeLoginData, type LoginData } from '../model/login-data.ts'
import type { BlockWrite } from '../model/op-log-writes.ts'
import type { OpLog, OpLogOperation } from '../model/op-log.ts'
import { buildOwnerProof, encodeOwnerProof, ownedKeyChampKey } from '../model/owner-proof.ts'
import { pointerUpdate, signPointerUpdate } from '../model/pointer-update.ts'
import { buildProofOfWork } from '../model/proof-of-work.ts'
import { defaultLoginAlgorithm, type ScryptGenerator } from '../model/secret-generation-algorithm.ts'
import { signRequest } from '../model/signed-time.ts'
import { publicKeyHash, randomSigningKeyPair, type SigningKeyPair, type SigningPrivateKeyAndPublicHash } from '../model/signing-keys.ts'
import { randomSymmetricKey, symmetricKey, type SymmetricKey } from '../model/symmetric-key.ts'
import { createInitialChain, encodeChain, type UserPublicKeyLink } from '../model/user-public-key-link.ts'
import { encryptEntryPoints, type EntryPoints } from '../model/user-static-data.ts'
import { encodeWriterData, type WriterData } from '../model/writer-data.ts'
import type { NetworkAccess } from '../services/network-access.ts'

/** The folders every home directory starts with (UserContext.SHARED_DIR_NAME, TRANSACTIONS_DIR_NAME, CapabilityStore.CAPABILITY_CACHE_DIR), all hidden. */
export const SPECIAL_FOLDERS = ['shared', '.transactions', '.capabilitycache'] as const

/** A signup the client refuses to send, or the server kept refusing. */
export class SignupError extends PeergosError {}

/** Constants.BATS_URL + "addBat": the signed request that authorises the mirror BAT. */
export const ADD_BAT_REQUEST = 'peergos/v0/bats/addBat'
/** A first claim expires two months after signup (UserContext.signUp). */
export const CLAIM_MONTHS = 2

/** The login key pair and root key scrypt derives from the password. */
export interface LoginSecrets {
  readonly login: SigningKeyPair
  readonly loginRoot: SymmetricKey
}

/** Every key a new account has: the login secrets from scrypt, the others random. */
export interface SignupKeys extends LoginSecrets {
  readonly algorithm: ScryptGenerator
  readonly identity: SigningKeyPair
  readonly boxer: BoxingKeyPair
  readonly rootWriter: SigningKeyPair
  readonly mirrorBat: Bat
}

export interface SignupParams {
  readonly username: string
  /** The server that will hold the account (its peer id, named in the claim). */
  readonly homeServer: CID
  readonly keys: SignupKeys
  /** Default: today + 2 months. */
  readonly expiry?: LocalDate
  /** Epoch millis for timestamps and the signed BAT request (default now). */
  readonly now?: number
}

export interface BuiltSignup {
  readonly username: string
  readonly chain: UserPublicKeyLink
  readonly opLog: OpLog
  readonly identity: SigningPrivateKeyAndPublicHash
  readonly rootWriter: SigningPrivateKeyAndPublicHash
  readonly home: EntryPoint
  readonly entryPoints: EntryPoints
  readonly mirrorBatId: BatId
  /** The WriterData blocks the identity's and the root writer's pointers name. */
  readonly identityWriterData: CID
  readonly rootWriterData: CID
}

/** UserUtil.generateUser: scrypt(sha256(password), username + salt) split into the login key pair and root key. */
export async function deriveLoginSecrets(c: CryptoProvider, username: string, password: string, algorithm: ScryptGenerator): Promise<LoginSecrets> {
  if (password === username) throw new SignupError('Your password cannot be the same as your username!')
  const secrets = splitLoginSecret(await loginScrypt(c, username, password, algorithm))
  return { login: c.signKeyPairFromSeed(secrets.loginSeed), loginRoot: symmetricKey(secrets.rootKey) }
}

/** The random keys of a new (non-legacy) account around its login secrets. */
export function randomSignupKeys(c: CryptoProvider, secrets: LoginSecrets, algorithm: ScryptGenerator): SignupKeys {
  return { ...secrets, algorithm, ...randomAccountKeys(c) }
}

/** The random keys of a new account: identity, hybrid boxer, root writer and mirror BAT. */
export function randomAccountKeys(c: CryptoProvider): Pick<SignupKeys, 'identity' | 'boxer' | 'rootWriter' | 'mirrorBat'> {
  return { identity: randomSigningKeyPair(c), boxer: randomHybridBoxingKeyPair(c), rootWriter: randomSigningKeyPair(c), mirrorBat: randomBat(c) }
}

function signer(kp: SigningKeyPair): SigningPrivateKeyAndPublicHash {
  return { publicKeyHash: publicKeyHash(kp.publicKey), secretKey: kp.secretKey }
}

/** One writer's blocks, each signed (sha256 of the block) once, in the order they were added. */
class WriterBlocks {
  readonly writes: BlockWrite[] = []
  private readonly seen = new Set<string>()

  constructor(private readonly c: CryptoProvider, readonly writer: SigningPrivateKeyAndPublicHash) {}

  add(block: Uint8Array, raw = false): CID {
    const cid = blockCid(this.c, block, raw)
    if (!this.seen.has(cidKey(cid))) {
      this.seen.add(cidKey(cid))
      this.writes.push({ writer: this.writer.publicKeyHash, signature: this.c.signAttached(this.c.sha256(block), this.writer.secretKey), block, isRaw: raw })
    }
    return cid
  }

  /** Every node of a CHAMP built in the scratch store (what BufferedStorage keeps after its GC). */
  async addChamp(champ: Champ, root: CID): Promise<void> {
    for await (const b of champ.blocks(root)) this.add(b.bytes)
  }

  /** Its blocks, then its first pointer (prev none, sequence 1) to `wd`: the order of a new writer's commit. */
  operations(wd: CID): OpLogOperation[] {
    const signedUpdate = signPointerUpdate(this.c, this.writer.secretKey, pointerUpdate(null, wd, 1))
    return [...this.writes.map((write) => ({ kind: 'block' as const, write })), { kind: 'pointer', write: { writer: this.writer.publicKeyHash, signedUpdate } }]
  }
}

/** Builds the first claim and the OpLog of a signup, without talking to any server. */
export async function buildSignup(c: CryptoProvider, p: SignupParams): Promise<BuiltSignup> {
  const { username, keys } = p
  const now = p.now ?? Date.now()
  const identity = signer(keys.identity)
  const writer = signer(keys.rootWriter)
  // CHAMPs are built in a scratch store; only the nodes reachable from the final roots are sent.
  const champ = new Champ({ store: new MemoryBlockStore(c), crypto: c })
  const id = new WriterBlocks(c, identity)
  const rw = new WriterBlocks(c, writer)
  const mirrorBatId = sha256BatId(c, keys.mirrorBat)

  // The identity: putBoxingKey (a hybrid key is a block), the root writer as owned key, WriterData.createIdentity.
  const boxerHash = publicBoxingKeyHash(c, keys.boxer.publicKey)
  if (!isIdentity(boxerHash)) id.add(encodeCbor(publicBoxingKeyToCbor(keys.boxer.publicKey)))
  const proof = id.add(encodeOwnerProof(buildOwnerProof(c, writer, identity.publicKeyHash)))
  const owned = await champ.put(await champ.createEmpty(), ownedKeyChampKey(writer.publicKeyHash), undefined, proof)
  await id.addChamp(champ, owned)
  const identityWd: WriterData = { controller: identity.publicKeyHash, algorithm: keys.algorithm, followRequestReceiver: boxerHash, ownedKeys: owned }
  const identityWriterData = id.add(encodeWriterData(identityWd))

  // createEntryDirectory: the home directory node under a random label of the root writer's tree.
  const home: WritableAbsoluteCapability = {
    owner: identity.publicKeyHash, writer: writer.publicKeyHash, mapKey: c.randomBytes(MAP_KEY_BYTES), bat: randomBat(c),
    rBaseKey: randomSymmetricKey(c), wBaseKey: randomSymmetricKey(c),
  }
  // The home directory holds the special folders shared, .transactions and .capabilitycache (hidden), all in this OpLog.
  const time = timestampFromMillis(now)
  const homeDir: ParentDir = { cap: home, parentKey: randomSymmetricKey(c) }
  const special = SPECIAL_FOLDERS.map((name) => newDirectory(c, homeDir, { name, hidden: true, time, mirrorBatId }))
  const dir = newDirectory(c, undefined, {
    name: username, hidden: false, time, mirrorBatId, cap: home, parentKey: homeDir.parentKey, signer: writer, children: special.map((s) => s.link),
  }).built
  const specialNodes: { mapKey: Uint8Array; cid: CID }[] = []
  for (const s of special) {
    for (const f of s.built.fragments) rw.add(f.data, true)
    specialNodes.push({ mapKey: s.cap.mapKey, cid: rw.add(encodeCryptreeNode(s.built.node)) })
  }
  for (const f of dir.fragments) rw.add(f.data, true)
  const node = rw.add(encodeCryptreeNode(dir.node))
  const emptyOwned = await champ.createEmpty() // WriterData.createEmpty
  await rw.addChamp(champ, emptyOwned)
  let tree = await champ.put(await champ.createEmpty(), home.mapKey, undefined, node)
  for (const n of specialNodes) tree = await champ.put(tree, n.mapKey, undefined, n.cid)
  await rw.addChamp(champ, tree)
  const rootWriterData = rw.add(encodeWriterData({ controller: writer.publicKeyHash, ownedKeys: emptyOwned, tree }))

  const entry: EntryPoint = { pointer: home, ownerName: username }
  const entryPoints: EntryPoints = { version: 2, entries: [entry], identity: keys.identity, boxer: keys.boxer }
  const login: LoginData = { username, entryPoints: encryptEntryPoints(c, keys.loginRoot, entryPoints), authorisedReader: keys.login.publicKey }
  const opLog: OpLog = {
    // Peergos commits new writers one after the other, the owner first: its blocks, then its pointer.
    operations: [...id.operations(identityWriterData), ...rw.operations(rootWriterData)],
    login: { data: login, auth: c.signDetached(encodeLoginData(login), identity.secretKey) },
    mirrorBat: { bat: batWithId(keys.mirrorBat, mirrorBatId), auth: signRequest(c, identity.secretKey, ADD_BAT_REQUEST, now) },
  }
  const expiry = p.expiry ?? plusMonths(localDateOf(new Date(now)), CLAIM_MONTHS)
  const [chain] = createInitialChain(c, identity, username, expiry, [p.homeServer])
  return { username, chain, opLog, identity, rootWriter: writer, home: entry, entryPoints, mirrorBatId, identityWriterData, rootWriterData }
}

/**
 * UserContext.signupWithRetry: sends the signup with proof of work of MIN_DIFFICULTY (0), then once
 * more at the difficulty the server asks for.
 */
export async function submitSignup(net: Pick<NetworkAccess, 'crypto' | 'coreNode'>, s: BuiltSignup, token = ''): Promise<void> {
  const data = encodeChain([s.chain])
  let required = await net.coreNode.signup(s.username, s.chain, s.opLog, buildProofOfWork(net.crypto, data, 0), token)
  if (required === undefined) return
  required = await net.coreNode.signup(s.username, s.chain, s.opLog, buildProofOfWork(net.crypto, data, required.difficulty), token)
  if (required !== undefined) throw new SignupError('Server is under load please try again later')
}

export interface SignUpOptions {
  readonly token?: string
  /** Default: SecretGenerationAlgorithm.getDefault (scrypt 2^17, 8, 1, 64 bytes, random salt). */
  readonly algorithm?: ScryptGenerator
}

/** Signs a new user up on the server `net` talks to (its id is the home server); returns what was sent. */
export async function signUp(net: Pick<NetworkAccess, 'crypto' | 'coreNode' | 'storage'>, username: string, password: string, o: SignUpOptions = {}): Promise<BuiltSignup> {
  return (await signUpReturningSecrets(net, username, password, o)).built
}

/** signUp, also returning the login secrets scrypt derived (so signing in afterwards need not run it again). */
export async function signUpReturningSecrets(net: Pick<NetworkAccess, 'crypto' | 'coreNode' | 'storage'>, username: string, password: string, o: SignUpOptions = {}): Promise<{ built: BuiltSignup; secrets: LoginSecrets }> {
  const c = net.crypto
  const algorithm = o.algorithm ?? defaultLoginAlgorithm(c)
  // scrypt runs off the main thread: the PKI check, the server id and the random keys meanwhile
  const deriving = deriveLoginSecrets(c, username, password, algorithm)
  deriving.catch(() => undefined) // awaited below, unless the name is taken
  const [chain, homeServer] = await Promise.all([net.coreNode.getChain(username), net.storage.id()])
  if (chain.length > 0) throw new SignupError('User already exists!')
  const random = randomAccountKeys(c)
  const secrets = await deriving
  const built = await buildSignup(c, { username, homeServer, keys: { ...secrets, algorithm, ...random } })
  await submitSignup(net, built, o.token)
  return { built, secrets }
}
