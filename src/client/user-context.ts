// A signed-in user (reference §5; Peergos UserContext): signUp and signIn with username and
// password alone, then the user's file system, password change (new salt and login keys, the
// identity's WriterData committed in the same setLogin call), renewal of the username claim
// when less than a month is left, and deleting the account. All key material stays in this object,
// on the client.
import { buildClaim } from '../model/claim.ts'
import type { BatId } from '../model/bat-id.ts'
import { isWritable, type WritableAbsoluteCapability } from '../model/capability.ts'
import { PeergosError } from '../errors.ts'
import { compareLocalDate, localDateOf, plusMonths } from '../model/local-date.ts'
import { encodeLoginData, type LoginData } from '../model/login-data.ts'
import { pointerUpdate, signPointerUpdate } from '../model/pointer-update.ts'
import { buildProofOfWork } from '../model/proof-of-work.ts'
import { withNewSalt } from '../model/secret-generation-algorithm.ts'
import { signRequest } from '../model/signed-time.ts'
import { publicKeyHash, type SigningPrivateKeyAndPublicHash } from '../model/signing-keys.ts'
import { encodeChain, type UserPublicKeyLink } from '../model/user-public-key-link.ts'
import { encryptEntryPoints, type EntryPoints } from '../model/user-static-data.ts'
import { encodeWriterData } from '../model/writer-data.ts'
import { equalBytes, blockCid } from '../codec/cid.ts'
import type { NetworkAccess } from '../services/network-access.ts'
import { clearAccountPointers } from './delete-account.ts'
import { NotFoundError } from './errors.ts'
import { FileSystem } from './file-system.ts'
import { checkNewPassword } from './password-rules.ts'
import type { MfaResponder } from './mfa.ts'
import { signedInAfterSignup, signIn, type SignedIn } from './sign-in.ts'
import type { TreeReader } from './tree-reader.ts'
import { ADD_BAT_REQUEST, deriveLoginSecrets, signUpReturningSecrets, type SignUpOptions } from './signup.ts'
import { signBlock, WriterSession } from './writer-session.ts'

/** Constants.BATS_URL + "getUserBats": the signed request that reads the user's mirror BATs. */
export const GET_USER_BATS_REQUEST = 'peergos/v0/bats/getUserBats'
/** Claims are renewed when they expire within this many months (UserContext.ensureUsernameClaimRenewed). */
export const CLAIM_RENEWAL_MONTHS = 1

/** A password change the client refuses or the server did not apply. */
export class PasswordChangeError extends PeergosError {}

export class UserContext {
  readonly fs: FileSystem

  private constructor(
    readonly net: NetworkAccess,
    readonly username: string,
    private signedIn: SignedIn,
    readonly identity: SigningPrivateKeyAndPublicHash,
    readonly home: WritableAbsoluteCapability,
    readonly rootWriter: WriterSession,
    readonly mirrorBatId: BatId | undefined,
  ) {
    this.fs = new FileSystem({ crypto: net.crypto, username, home, session: rootWriter, reader: signedIn.reader, mirrorBatId, services: net })
  }

  /** Signs in with a username and password: PKI, identity WriterData, scrypt, login data, home directory. */
  static async signIn(net: NetworkAccess, username: string, password: string, o: { mfa?: MfaResponder } = {}): Promise<UserContext> {
    const signed = await signIn(net, username, password, o.mfa)
    const ctx = await UserContext.open(net, signed)
    await ctx.renewClaimIfExpiring(new Date(), signed.chain)
    return ctx
  }

  /** Signs a new user up on the server `net` talks to, then signs in. */
  static async signUp(net: NetworkAccess, username: string, password: string, o: SignUpOptions = {}): Promise<UserContext> {
    checkNewPassword(username, password)
    const { built, secrets } = await signUpReturningSecrets(net, username, password, o)
    return UserContext.open(net, signedInAfterSignup(net, built, secrets))
  }

  private static async open(net: NetworkAccess, s: SignedIn): Promise<UserContext> {
    const c = net.crypto
    const entry = s.entryPoints.entries.find((e) => e.ownerName === s.username && isWritable(e.pointer))
    if (entry === undefined || !isWritable(entry.pointer)) throw new NotFoundError(`No home directory in ${s.username}'s login data`)
    const home = entry.pointer
    const idKeys = s.entryPoints.identity ?? s.loginKeys
    const identity = { publicKeyHash: publicKeyHash(idKeys.publicKey), secretKey: idKeys.secretKey }
    if (!identity.publicKeyHash.equals(s.identity)) throw new NotFoundError(`${s.username}'s login data holds another identity key`)
    // the mirror BATs and the home directory are independent reads: both at once
    const batsRead = net.batCave.getUserBats(s.username, signRequest(c, identity.secretKey, GET_USER_BATS_REQUEST)).catch(() => [])
    const head = await s.reader.readChunk(home)
    if (head === undefined) throw new NotFoundError(`${s.username}'s home directory is missing`)
    const rootSigner = head.view.signer
    if (rootSigner === undefined || !rootSigner.publicKeyHash.equals(home.writer)) throw new NotFoundError(`${s.username}'s home directory does not carry its writer key`)
    const bats = await batsRead
    const mirrorBatId = bats.length === 0 ? undefined : bats[bats.length - 1].id
    const rootWriter = new WriterSession(net, s.reader.pointers, s.identity, rootSigner, s.reader.blockCache)
    return new UserContext(net, s.username, s, identity, home, rootWriter, mirrorBatId)
  }

  /** Closes what the session keeps open on the server (an idle shared transaction); call before exiting. */
  async close(): Promise<void> {
    await this.fs.close()
  }

  /** The verifying reader of this user's session (pointers seen, blocks re-hashed). */
  get reader(): TreeReader {
    return this.signedIn.reader
  }

  get entryPoints(): EntryPoints {
    return this.signedIn.entryPoints
  }

  /** The claim chain's last expiry is within a month: publish a fresh claim (two months), as Peergos does at login. */
  async renewClaimIfExpiring(now = new Date(), known?: readonly UserPublicKeyLink[]): Promise<boolean> {
    const chain = known ?? (await this.net.coreNode.getChain(this.username))
    const last = chain[chain.length - 1]
    if (last === undefined || !last.owner.equals(this.identity.publicKeyHash)) return false
    const today = localDateOf(now)
    if (compareLocalDate(last.claim.expiry, plusMonths(today, CLAIM_RENEWAL_MONTHS)) > 0) return false
    const renewed: UserPublicKeyLink = { ...last, claim: buildClaim(this.net.crypto, this.username, this.identity.secretKey, plusMonths(today, 2), last.claim.storageProviders) }
    const updated = [...chain.slice(0, -1), renewed]
    const data = encodeChain(updated)
    let required = await this.net.coreNode.updateChain(this.username, updated, buildProofOfWork(this.net.crypto, data, 0), '')
    if (required !== undefined) required = await this.net.coreNode.updateChain(this.username, updated, buildProofOfWork(this.net.crypto, data, required.difficulty), '')
    return required === undefined
  }

  /**
   * UserContext.deleteAccount: the password (and second factor) checked by signing in again, then the
   * home directory's and the identity's pointers emptied (see delete-account.ts). This session is
   * closed; signing in afterwards fails with "User has been deleted".
   */
  async deleteAccount(password: string, o: { mfa?: MfaResponder } = {}): Promise<void> {
    const again = await UserContext.signIn(this.net, this.username, password, o)
    try {
      await this.close()
      await clearAccountPointers(again.reader.pointers, { owner: again.identity.publicKeyHash, root: again.rootWriter.signer, identity: again.identity })
    } finally {
      await again.close()
    }
  }

  /**
   * UserContext.changePassword for current accounts: the identity stays; new salt and login keys; the
   * entry points re-encrypted under the new root key; the identity WriterData (new algorithm) committed
   * atomically with the new login data. The old password stops working.
   */
  async changePassword(oldPassword: string, newPassword: string): Promise<void> {
    const c = this.net.crypto
    if (oldPassword === newPassword) throw new PasswordChangeError('You must change to a different password.')
    checkNewPassword(this.username, newPassword)
    const idWd = await this.signedIn.reader.writerData(this.identity.publicKeyHash, this.identity.publicKeyHash)
    const alg = idWd?.algorithm
    if (idWd === undefined || alg === undefined || alg.type !== 1) throw new PasswordChangeError(`${this.username} has no password login`)
    if (alg.outputBytes !== 64) throw new PasswordChangeError('Legacy accounts must be upgraded before their password can be changed')
    const old = await deriveLoginSecrets(c, this.username, oldPassword, alg)
    if (!equalBytes(old.login.publicKey, this.signedIn.loginKeys.publicKey)) throw new PasswordChangeError('Incorrect existing password during change password attempt!')
    const newAlg = withNewSalt(c, alg)
    const fresh = await deriveLoginSecrets(c, this.username, newPassword, newAlg)
    const pointer = await this.signedIn.reader.pointers.get(this.identity.publicKeyHash, this.identity.publicKeyHash)
    const newWd = encodeWriterData({ ...idWd, algorithm: newAlg })
    const newWdCid = blockCid(c, newWd, false)
    const sequence = (pointer?.sequence ?? 0) + 1
    const signedUpdate = signPointerUpdate(c, this.identity.secretKey, pointerUpdate(pointer?.updated ?? null, newWdCid, sequence))
    const login: LoginData = {
      username: this.username,
      entryPoints: encryptEntryPoints(c, fresh.loginRoot, this.signedIn.entryPoints),
      authorisedReader: fresh.login.publicKey,
      identityUpdate: {
        block: { writer: this.identity.publicKeyHash, signature: signBlock(c, this.identity, newWd), block: newWd, isRaw: false },
        pointer: { writer: this.identity.publicKeyHash, signedUpdate },
      },
    }
    const ok = await this.net.account.setLoginData(login, c.signDetached(encodeLoginData(login), this.identity.secretKey), false)
    if (!ok) throw new PasswordChangeError("Couldn't change password! Your old password is still active.")
    this.signedIn.reader.pointers.observe(this.identity.publicKeyHash, sequence)
    this.signedIn = { ...this.signedIn, loginKeys: fresh.login, rootKey: fresh.loginRoot, identityWriterData: { ...idWd, algorithm: newAlg } }
  }
}


export { ADD_BAT_REQUEST }
