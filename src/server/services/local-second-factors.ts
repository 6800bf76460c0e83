// The server's second factors (reference §5.4; Peergos JdbcAccount): TOTP secrets added unverified and
// enabled by a code (one enabled TOTP at a time), single-use backup codes stored as sha256 hashes and
// burned with a compare-and-set (two logins racing on one code: one wins), and the login gate that
// answers a MultiFactorAuthRequest until a valid MultiFactorAuthResponse comes, with a per-user limit on
// wrong codes (second-factor-attempts.ts). WebAuthn is not served.
import { decodeCbor, encodeCbor } from '../../codec/cbor.ts'
import { asBytes, cborMap, Fields } from '../../codec/cbor-read.ts'
import { constantTimeEqual } from '../../crypto/peergos.ts'
import type { CryptoProvider } from '../../crypto/provider.ts'
import { verifyTotp } from '../../crypto/totp.ts'
import {
  BACKUP_CODE_BYTES, BACKUP_CODE_COUNT, backupCodeFromRandom, normaliseBackupCode, type BackupCodes,
} from '../../model/backup-codes.ts'
import { bytesToHex, utf8 } from '../../model/bytes.ts'
import { decodeMfaResponse, encodeMfaRequest, isInteractiveMfaType, MFA_TYPE, type MfaType, type MultiFactorAuthMethod } from '../../model/mfa.ts'
import type { TotpKey } from '../../model/totp-key.ts'
import { InvalidMfaCodeError, MfaRefusedError, MfaRequiredError } from '../../services/errors.ts'
import { MAX_MFA, type MfaRow, type MfaStore } from '../db/mfa-store.ts'
import { SecondFactorAttempts, type SecondFactorAttemptsOptions } from './second-factor-attempts.ts'
import type { Clock } from './signed-time.ts'

/** Sizes of the random credential ids, TOTP keys and login challenges JdbcAccount makes. */
const CREDENTIAL_ID_BYTES = 32
const TOTP_KEY_BYTES = 32
const CHALLENGE_BYTES = 32
const DAY_MILLIS = 86_400_000
/** validateBackupCode: a lost compare-and-set is retried once. */
const BURN_ATTEMPTS = 2

export const TOO_MANY_FACTORS_MESSAGE = 'Too many multi factor auth methods. Please delete some.'
export const BACKUP_CODES_NEED_FACTOR_MESSAGE = 'Please set up an authenticator app or security key before generating backup codes.'

export interface LocalSecondFactorsOptions {
  readonly crypto: CryptoProvider
  readonly mfa: MfaStore
  readonly now?: Clock
  /** Limits on wrong codes per user (default 5 in 5 minutes, on `now`'s clock). */
  readonly attempts?: Omit<SecondFactorAttemptsOptions, 'now'>
}

const KNOWN_TYPES = new Set<number>(Object.values(MFA_TYPE))

/** getSecondAuthMethods' filter: never-verified code factors and exhausted backup codes are not methods. */
function visible(r: MfaRow): boolean {
  if (!KNOWN_TYPES.has(r.type)) return false
  if ((r.type === MFA_TYPE.TOTP || r.type === MFA_TYPE.MOUNT) && !r.enabled) return false
  return !(r.type === MFA_TYPE.BACKUP_CODES && r.name === '0')
}

function methodOf(r: MfaRow): MultiFactorAuthMethod {
  return { name: r.name, credentialId: r.credentialId, created: r.created, type: r.type as MfaType, enabled: r.enabled }
}

/** A factor a person logs in with, which backup codes can back up (not the codes themselves, not a device's MOUNT). */
function isLoginFactor(m: MultiFactorAuthMethod): boolean {
  return m.enabled && isInteractiveMfaType(m.type) && m.type !== MFA_TYPE.BACKUP_CODES
}

/** The `value` of a backup-code row: CBOR {h: [sha256 of each unused normalised code]}. */
function encodeCodeHashes(hashes: readonly Uint8Array[]): Uint8Array {
  return encodeCbor(cborMap({ h: [...hashes] }))
}

function decodeCodeHashes(value: Uint8Array): Uint8Array[] {
  return Fields.of(decodeCbor(value, { maxDepth: 2 }), 'backup code hashes').list('h').map((h, i) => asBytes(h, `backup code hash ${i}`, 32))
}

export class LocalSecondFactors {
  private readonly c: CryptoProvider
  private readonly store: MfaStore
  private readonly now: Clock
  private readonly attempts: SecondFactorAttempts

  constructor(o: LocalSecondFactorsOptions) {
    this.c = o.crypto
    this.store = o.mfa
    this.now = o.now ?? Date.now
    this.attempts = new SecondFactorAttempts({ ...o.attempts, now: this.now })
  }

  /** JdbcAccount.getSecondAuthMethods. */
  async list(username: string): Promise<MultiFactorAuthMethod[]> {
    return (await this.store.list(username)).filter(visible).map(methodOf)
  }

  /** addTotpFactor: drops an abandoned (unverified) TOTP, then stores a new one unless the user has MAX_MFA factors. */
  async addTotp(username: string): Promise<TotpKey> {
    await this.store.removeUnverified(username, MFA_TYPE.TOTP)
    const key = this.c.randomBytes(TOTP_KEY_BYTES)
    const credentialId = this.c.randomBytes(CREDENTIAL_ID_BYTES)
    const added = await this.store.add({ username, name: '', credentialId, type: MFA_TYPE.TOTP, enabled: false, created: this.today(), value: key }, MAX_MFA)
    if (!added) throw new MfaRefusedError(TOO_MANY_FACTORS_MESSAGE)
    return { credentialId, key }
  }

  /** enableTotpFactor: the code proves the app holds the key; the user's other enabled TOTP is replaced. */
  async enableTotp(username: string, credentialId: Uint8Array, code: string): Promise<boolean> {
    const row = await this.row(username, credentialId)
    if (row.type !== MFA_TYPE.TOTP) throw new MfaRefusedError(`Second factor ${bytesToHex(credentialId)} is not a TOTP!`)
    this.checkTotp(row, code)
    return this.store.enableReplacing(username, credentialId, MFA_TYPE.TOTP)
  }

  /** generateBackupCodes: ten distinct codes replacing any earlier set, once there is a factor to back up. */
  async generateBackupCodes(username: string): Promise<BackupCodes> {
    if (!(await this.list(username)).some(isLoginFactor)) throw new MfaRefusedError(BACKUP_CODES_NEED_FACTOR_MESSAGE)
    const codes: string[] = []
    while (codes.length < BACKUP_CODE_COUNT) {
      const code = backupCodeFromRandom(this.c.randomBytes(BACKUP_CODE_BYTES))
      if (!codes.includes(code)) codes.push(code)
    }
    const credentialId = this.c.randomBytes(CREDENTIAL_ID_BYTES)
    // The remaining count travels in the name, as Peergos shows it.
    await this.store.addReplacing({
      username, name: String(codes.length), credentialId, type: MFA_TYPE.BACKUP_CODES, enabled: true, created: this.today(),
      value: encodeCodeHashes(codes.map((code) => this.hashCode(code))),
    })
    return { credentialId, codes }
  }

  /** deleteMfa: always true, as Peergos replies; the backup codes go with the last factor they back up. */
  async remove(username: string, credentialId: Uint8Array): Promise<boolean> {
    await this.store.removeFactor(username, credentialId)
    return true
  }

  /**
   * The login gate (JdbcAccount.getEntryData with an optional MultiFactorAuthResponse), run once the
   * login key matched: passes when no enabled factor can challenge a person (backup codes and MOUNT
   * factors alone don't); without `mfa` throws MfaRequiredError with the enabled methods and a fresh
   * challenge; otherwise the answer must be a valid TOTP code (this or the previous step) or an unused
   * backup code, which is burned. After too many wrong codes every answer is refused with
   * RateLimitError, unchecked, until the window has passed; a right code clears the count.
   */
  readonly check = async (username: string, mfa: Uint8Array | undefined): Promise<void> => {
    const enabled = (await this.list(username)).filter((m) => m.enabled)
    if (!enabled.some(isLoginFactor)) return
    if (mfa === undefined) {
      const challenge = this.c.randomBytes(CHALLENGE_BYTES)
      await this.store.setChallenge(username, challenge)
      throw new MfaRequiredError(encodeMfaRequest({ methods: enabled, challenge }))
    }
    const attempt = this.attempts.begin(username)
    try {
      await this.checkAnswer(username, mfa)
      attempt.succeeded()
    } catch (e) {
      // Only a wrong code counts against the user; a refusal of another kind was no guess.
      if (!(e instanceof InvalidMfaCodeError)) attempt.withdrawn()
      throw e
    }
  }

  private async checkAnswer(username: string, mfa: Uint8Array): Promise<void> {
    const answer = decodeMfaResponse(mfa)
    const row = await this.row(username, answer.credentialId)
    // Stricter than JdbcAccount, which also takes a code for a TOTP never enabled.
    if (!row.enabled) throw new MfaRefusedError(`Unknown credential id for user ${username}`)
    if (typeof answer.response !== 'string') {
      if (row.type !== MFA_TYPE.WEBAUTHN) throw new MfaRefusedError('Not a webauthn credential!')
      throw new MfaRefusedError('Webauthn is not supported by this server')
    }
    if (row.type === MFA_TYPE.BACKUP_CODES) return this.burnBackupCode(row, answer.response)
    if (row.type === MFA_TYPE.TOTP || row.type === MFA_TYPE.MOUNT) return this.checkTotp(row, answer.response)
    throw new MfaRefusedError('Not a code based credential!')
  }

  private async row(username: string, credentialId: Uint8Array): Promise<MfaRow> {
    const row = await this.store.get(username, credentialId)
    if (row === undefined || !KNOWN_TYPES.has(row.type)) throw new MfaRefusedError(`Unknown credential id for user ${username}`)
    return row
  }

  private checkTotp(row: MfaRow, code: string): void {
    if (!verifyTotp(this.c, row.value, code, this.now())) throw new InvalidMfaCodeError(`Invalid TOTP code for credId ${bytesToHex(row.credentialId)}`)
  }

  /** validateBackupCode: the remaining hashes are written back only if nobody changed them meanwhile. */
  private async burnBackupCode(row: MfaRow, code: string): Promise<void> {
    const hash = this.hashCode(code)
    let current = row.value
    for (let attempt = 0; attempt < BURN_ATTEMPTS; attempt++) {
      const unused = decodeCodeHashes(current)
      const remaining = unused.filter((h) => !constantTimeEqual(h, hash))
      if (remaining.length === unused.length) throw new InvalidMfaCodeError(`Invalid backup code for credId ${bytesToHex(row.credentialId)}`)
      if (await this.store.compareAndSetValue(row.username, row.credentialId, current, encodeCodeHashes(remaining), String(remaining.length))) return
      current = (await this.row(row.username, row.credentialId)).value
    }
    throw new MfaRefusedError(`Concurrent modification of backup codes for ${row.username}`)
  }

  private hashCode(code: string): Uint8Array {
    return this.c.sha256(utf8(normaliseBackupCode(code)))
  }

  private today(): number {
    return Math.floor(this.now() / DAY_MILLIS)
  }
}
