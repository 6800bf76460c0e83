// Second-factor login messages (reference §5.4; Peergos shared/login/mfa: MultiFactorAuthMethod,
// MultiFactorAuthRequest, MultiFactorAuthResponse, WebauthnResponse): a method is
// {c: created epoch day, e: enabled, i: credential id, n: name, t: type}; a server's request
// {c: challenge, m: [methods]}; a client's answer {i: credential id, r: code text | {a, c, s}}.
import { decodeCbor, encodeCbor, type CborValue } from '../codec/cbor.ts'
import { asList, cborMap, Fields } from '../codec/cbor-read.ts'
import { InvalidObjectError } from './errors.ts'

/** MultiFactorAuthMethod.Type values. MOUNT is a device's TOTP-like factor, never offered to a person. */
export const MFA_TYPE = { TOTP: 1, WEBAUTHN: 2, BACKUP_CODES: 3, MOUNT: 4 } as const
export type MfaType = (typeof MFA_TYPE)[keyof typeof MFA_TYPE]

/** MultiFactorAuthMethod.MAX_NAME_LENGTH. */
export const MFA_MAX_NAME_LENGTH = 32

/** Type.interactive: whether a client a person logs in through may be offered this type. */
export function isInteractiveMfaType(type: number): boolean {
  return type === MFA_TYPE.TOTP || type === MFA_TYPE.WEBAUTHN || type === MFA_TYPE.BACKUP_CODES
}

export interface MultiFactorAuthMethod {
  /** Empty for a TOTP; the remaining count ("10"...) for backup codes; a key's name for WebAuthn. */
  readonly name: string
  readonly credentialId: Uint8Array
  /** Days since 1970-01-01 (LocalDate.toEpochDay). */
  readonly created: number
  readonly type: MfaType
  readonly enabled: boolean
}

export interface MultiFactorAuthRequest {
  readonly methods: readonly MultiFactorAuthMethod[]
  /** 32 random bytes (signed by a WebAuthn key; unused by code factors). */
  readonly challenge: Uint8Array
}

export interface WebauthnResponse {
  readonly authenticatorData: Uint8Array
  readonly clientDataJson: Uint8Array
  readonly signature: Uint8Array
}

export interface MultiFactorAuthResponse {
  readonly credentialId: Uint8Array
  /** A TOTP or backup code as typed, or a WebAuthn assertion. */
  readonly response: string | WebauthnResponse
}

const LIMITS = { maxDepth: 4, maxItems: 1024 }

export function mfaMethodToCbor(m: MultiFactorAuthMethod): CborValue {
  return cborMap({ c: m.created, e: m.enabled, i: m.credentialId, n: m.name, t: m.type })
}

export function mfaMethodFromCbor(v: CborValue): MultiFactorAuthMethod {
  const f = Fields.of(v, 'MultiFactorAuthMethod')
  const name = f.string('n')
  if (name.length > MFA_MAX_NAME_LENGTH) throw new InvalidObjectError(`Second factor names must be smaller than ${MFA_MAX_NAME_LENGTH + 1} characters`)
  const type = f.int('t')
  if (type < MFA_TYPE.TOTP || type > MFA_TYPE.MOUNT) throw new InvalidObjectError(`Unknown second factor type: ${type}. Please update to a newer version.`)
  return { name, credentialId: f.bytes('i'), created: f.int('c'), type: type as MfaType, enabled: f.bool('e') }
}

/** listMfa's reply: a CBOR list of methods. */
export function encodeMfaMethods(methods: readonly MultiFactorAuthMethod[]): Uint8Array {
  return encodeCbor(methods.map(mfaMethodToCbor))
}

export function decodeMfaMethods(bytes: Uint8Array): MultiFactorAuthMethod[] {
  return asList(decodeCbor(bytes, LIMITS), 'MultiFactorAuthMethod list').map(mfaMethodFromCbor)
}

export function mfaRequestToCbor(r: MultiFactorAuthRequest): CborValue {
  return cborMap({ c: r.challenge, m: r.methods.map(mfaMethodToCbor) })
}

export function mfaRequestFromCbor(v: CborValue): MultiFactorAuthRequest {
  const f = Fields.of(v, 'MultiFactorAuthRequest')
  return { methods: f.list('m').map(mfaMethodFromCbor), challenge: f.bytes('c') }
}

export function encodeMfaRequest(r: MultiFactorAuthRequest): Uint8Array {
  return encodeCbor(mfaRequestToCbor(r))
}

export function decodeMfaRequest(bytes: Uint8Array): MultiFactorAuthRequest {
  return mfaRequestFromCbor(decodeCbor(bytes, LIMITS))
}

export function webauthnResponseToCbor(w: WebauthnResponse): CborValue {
  return cborMap({ a: w.authenticatorData, c: w.clientDataJson, s: w.signature })
}

export function webauthnResponseFromCbor(v: CborValue): WebauthnResponse {
  const f = Fields.of(v, 'WebauthnResponse')
  return { authenticatorData: f.bytes('a'), clientDataJson: f.bytes('c'), signature: f.bytes('s') }
}

export function mfaResponseToCbor(r: MultiFactorAuthResponse): CborValue {
  return cborMap({ i: r.credentialId, r: typeof r.response === 'string' ? r.response : webauthnResponseToCbor(r.response) })
}

/** MultiFactorAuthResponse.fromCbor: `r` is the code when text, else a WebauthnResponse. */
export function mfaResponseFromCbor(v: CborValue): MultiFactorAuthResponse {
  const f = Fields.of(v, 'MultiFactorAuthResponse')
  const r = f.req('r')
  return { credentialId: f.bytes('i'), response: typeof r === 'string' ? r : webauthnResponseFromCbor(r) }
}

export function encodeMfaResponse(r: MultiFactorAuthResponse): Uint8Array {
  return encodeCbor(mfaResponseToCbor(r))
}

export function decodeMfaResponse(bytes: Uint8Array): MultiFactorAuthResponse {
  return mfaResponseFromCbor(decodeCbor(bytes, LIMITS))
}
