// The server's Account service (reference §5.2, §5.4; Peergos VerifyingAccount + AccountWithStorage +
// JdbcAccount): login rows written with the identity's signature of the LoginData, read with the
// login key's signed time; a password change is staged in `pendinglogin` until its pointer commits.
// Second factors (local-second-factors.ts) are managed with the identity's signed request (24 h) and
// gate getLoginData once the login key matched.
import { decodeCbor, encodeCbor } from '../../codec/cbor.ts'
import { blockCid, type CID } from '../../codec/cid.ts'
import { InvalidSignatureError } from '../../crypto/errors.ts'
import type { CryptoProvider } from '../../crypto/provider.ts'
import { PeergosError } from '../../errors.ts'
import { IncorrectPasswordError, InvalidObjectError } from '../../model/errors.ts'
import { encodeLoginData, type LoginData } from '../../model/login-data.ts'
import { openSignedPointerUpdate } from '../../model/pointer-update.ts'
import { publicSigningKeyToCbor, type PublicKeyHash } from '../../model/signing-keys.ts'
import type { SigningKeyResolver } from '../../model/user-public-key-link.ts'
import { userStaticDataFromCbor, userStaticDataToCbor, type UserStaticData } from '../../model/user-static-data.ts'
import type { BackupCodes } from '../../model/backup-codes.ts'
import type { MultiFactorAuthMethod } from '../../model/mfa.ts'
import type { TotpKey } from '../../model/totp-key.ts'
import { MFA_SIGNED_PATHS, type Account } from '../../services/account.ts'
import { MfaRefusedError, UnknownUserError } from '../../services/errors.ts'
import type { ContentAddressedStorage } from '../../services/content-addressed-storage.ts'
import type { CoreNode } from '../../services/core-node.ts'
import type { MutablePointers } from '../../services/mutable-pointers.ts'
import type { LoginRow, LoginStore } from '../db/login-store.ts'
import type { MfaStore } from '../db/mfa-store.ts'
import { requireKey, storageKeyResolver } from './key-resolver.ts'
import { LocalSecondFactors } from './local-second-factors.ts'
import { LOGIN_AUTH_WINDOW_SECONDS, verifySignedRequest, verifySignedTime, type Clock } from './signed-time.ts'

/** JdbcAccount's reply when no login row (live or staged) has this reader. */
export const INCORRECT_LOGIN_MESSAGE = 'Incorrect username or password'

export { UnknownUserError }

/** Second-factor gate (reference §5.4): throws MfaRequiredError when a factor is needed and `mfa` is absent or wrong. */
export type SecondFactorCheck = (username: string, mfa: Uint8Array | undefined) => Promise<void>

export interface LocalAccountOptions {
  readonly crypto: CryptoProvider
  readonly logins: LoginStore
  /** The PKI: setLoginData is authorised by the identity of `getPublicKeyHash(username)`. */
  readonly core: Pick<CoreNode, 'getPublicKeyHash'>
  /** Blocks (legacy keys, the identity WriterData of a password change). */
  readonly storage: ContentAddressedStorage
  /** The identity pointer a password change commits, and whether a staged change was published. */
  readonly pointers: MutablePointers
  readonly now?: Clock
  /** The second factors (tables mfa, mfa_challenge); without it the listMfa... methods are refused and logins need none. */
  readonly mfa?: MfaStore
  /** Replaces the gate `mfa` gives getLoginData (tests of the login flow). */
  readonly secondFactor?: SecondFactorCheck
  readonly onWarning?: (message: string, error: unknown) => void
}

/** The CBOR of the login public key, as JdbcAccount stores `reader`. */
export function readerColumn(reader: Uint8Array): Uint8Array {
  return encodeCbor(publicSigningKeyToCbor(reader))
}

/**
 * VerifyingAccount.setLoginData's rule: `auth` is the identity's 64-byte detached signature of the
 * LoginData's CBOR (Account.setLoginData signs with signatureOnly(login.serialize())).
 */
export function verifyLoginAuth(c: CryptoProvider, login: LoginData, auth: Uint8Array, identityKey: Uint8Array): void {
  if (!(auth instanceof Uint8Array) || auth.length !== 64 || !c.verifyDetached(auth, encodeLoginData(login), identityKey)) {
    throw new InvalidSignatureError('Invalid signature for login data')
  }
}

export class LocalAccount implements Account {
  private readonly c: CryptoProvider
  private readonly resolve: SigningKeyResolver
  private readonly now: Clock
  private readonly factors?: LocalSecondFactors
  private readonly secondFactor?: SecondFactorCheck

  constructor(private readonly o: LocalAccountOptions) {
    this.c = o.crypto
    this.resolve = storageKeyResolver(o.storage)
    this.now = o.now ?? Date.now
    this.factors = o.mfa === undefined ? undefined : new LocalSecondFactors({ crypto: o.crypto, mfa: o.mfa, now: this.now })
    this.secondFactor = o.secondFactor ?? this.factors?.check
  }

  async setLoginData(login: LoginData, auth: Uint8Array, _forceLocal: boolean): Promise<boolean> {
    const identity = await this.o.core.getPublicKeyHash(login.username)
    if (identity === undefined) throw new UnknownUserError(`Unknown username: ${login.username.slice(0, 64)}`)
    verifyLoginAuth(this.c, login, auth, await requireKey(this.resolve, identity))
    if (login.identityUpdate !== undefined) return this.changePassword(login, identity)
    await this.o.logins.set(loginRowOf(login))
    return true
  }

  /**
   * AccountWithStorage's staged password change: put the new identity WriterData, stage the login
   * row, then commit the pointer (the single commit point); the live row follows, best effort.
   */
  private async changePassword(login: LoginData, identity: PublicKeyHash): Promise<boolean> {
    const { block, pointer } = login.identityUpdate!
    if (!block.writer.equals(identity) || !pointer.writer.equals(identity) || block.isRaw) {
      throw new InvalidObjectError('A password change may only update the identity WriterData')
    }
    const update = openSignedPointerUpdate(this.c, await requireKey(this.resolve, identity), pointer.signedUpdate)
    if (update.updated === null || !update.updated.equals(blockCid(this.c, block.block, false))) {
      throw new InvalidObjectError('The identity pointer update does not target the new WriterData')
    }
    const tid = await this.o.storage.startTransaction(identity)
    try {
      const [target] = await this.o.storage.put(identity, identity, [block.signature], [block.block], tid, false)
      await this.o.logins.setPending({ ...loginRowOf(login), writer: identity, target })
      if (!(await this.o.pointers.setPointer(identity, identity, pointer.signedUpdate))) return false
    } finally {
      await this.o.storage.closeTransaction(identity, tid).catch((e: unknown) => this.warn('Failed to close transaction after password change', e))
    }
    // Published: from here on the change has happened; a failure below is healed on the next login.
    await this.o.logins.set(loginRowOf(login)).catch((e: unknown) => this.warn('Failed to store new login data after password change', e))
    return true
  }

  async getLoginData(username: string, authorisedReader: Uint8Array, auth: Uint8Array, mfa?: Uint8Array): Promise<UserStaticData> {
    // VerifyingAccount checks the signed time after the lookup; we check it first (same outcome for honest clients).
    verifySignedTime(this.c, auth, authorisedReader, LOGIN_AUTH_WINDOW_SECONDS, this.now())
    const reader = readerColumn(authorisedReader)
    const entry = await this.o.logins.getEntry(username, reader)
    if (entry !== undefined) {
      await this.secondFactor?.(username, mfa)
      return decodeEntry(entry)
    }
    // A password change that published its WriterData but never updated `login` is served from the staged row.
    const pending = await this.o.logins.getPending(username, reader)
    if (pending === undefined) throw new IncorrectPasswordError(INCORRECT_LOGIN_MESSAGE)
    await this.secondFactor?.(username, mfa)
    await this.completeInterruptedPasswordChange(username).catch((e: unknown) => this.warn('Failed to complete an interrupted password change', e))
    return decodeEntry(pending.entry)
  }

  async getSecondAuthMethods(username: string, auth: Uint8Array): Promise<MultiFactorAuthMethod[]> {
    return (await this.authoriseMfa(username, MFA_SIGNED_PATHS.listMfa, auth)).list(username)
  }

  async addTotpFactor(username: string, auth: Uint8Array): Promise<TotpKey> {
    return (await this.authoriseMfa(username, MFA_SIGNED_PATHS.addTotp, auth)).addTotp(username)
  }

  async enableTotpFactor(username: string, credentialId: Uint8Array, code: string, auth: Uint8Array): Promise<boolean> {
    return (await this.authoriseMfa(username, MFA_SIGNED_PATHS.enableTotp, auth)).enableTotp(username, credentialId, code)
  }

  async generateBackupCodes(username: string, auth: Uint8Array): Promise<BackupCodes> {
    return (await this.authoriseMfa(username, MFA_SIGNED_PATHS.genBackupCodes, auth)).generateBackupCodes(username)
  }

  async deleteSecondFactor(username: string, credentialId: Uint8Array, auth: Uint8Array): Promise<boolean> {
    return (await this.authoriseMfa(username, MFA_SIGNED_PATHS.deleteMfa, auth)).remove(username, credentialId)
  }

  /** VerifyingAccount's rule for the second-factor methods: the identity signed this method's path within 24 hours. */
  private async authoriseMfa(username: string, path: string, auth: Uint8Array): Promise<LocalSecondFactors> {
    const identity = await this.o.core.getPublicKeyHash(username)
    if (identity === undefined) throw new UnknownUserError(`Unknown username: ${username.slice(0, 64)}`)
    verifySignedRequest(this.c, auth, await requireKey(this.resolve, identity), path, LOGIN_AUTH_WINDOW_SECONDS, this.now())
    if (this.factors === undefined) throw new MfaRefusedError('Second factors are not available on this server')
    return this.factors
  }

  /** JdbcAccount.completeInterruptedPasswordChange: promotes the staged row whose WriterData is now the identity's pointer target. */
  async completeInterruptedPasswordChange(username: string): Promise<boolean> {
    for (const p of await this.o.logins.listPending(username)) {
      if (await this.isPublished(p.writer, p.target)) return this.o.logins.promotePending(username, p.reader)
    }
    return false
  }

  private async isPublished(writer: PublicKeyHash, target: CID): Promise<boolean> {
    try {
      const signed = await this.o.pointers.getPointer(writer, writer)
      if (signed === undefined) return false
      const update = openSignedPointerUpdate(this.c, await requireKey(this.resolve, writer), signed)
      return update.updated !== null && target.equals(update.updated)
    } catch (e) {
      if (e instanceof PeergosError) return false
      throw e
    }
  }

  private warn(message: string, e: unknown): void {
    this.o.onWarning?.(message, e)
  }
}

/** The `login` row JdbcAccount stores for some login data: entry = CBOR UserStaticData, reader = CBOR login key. */
export function loginRowOf(login: LoginData): LoginRow {
  return { username: login.username, entry: encodeCbor(userStaticDataToCbor(login.entryPoints)), reader: readerColumn(login.authorisedReader) }
}

function decodeEntry(entry: Uint8Array): UserStaticData {
  return userStaticDataFromCbor(decodeCbor(entry, { maxDepth: 4 }))
}
