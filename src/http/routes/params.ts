// Strict, typed access to a request's query parameters (reference §7.3): each accessor names the
// parameter in its BadRequestError and never echoes the offending value back to the caller.
import { parseCid, type CID } from '../../codec/cid.ts'
import { decodeBatWithId, type BatWithId } from '../../model/bat-id.ts'
import { hexToBytes } from '../../model/bytes.ts'
import { checkPublicKeyHash, type PublicKeyHash } from '../../model/signing-keys.ts'
import { BadRequestError } from '../errors.ts'
import type { QueryParams } from '../transport.ts'

const MAX_VALUE_LENGTH = 8192

function invalid(name: string, what: string): never {
  throw new BadRequestError(`Invalid parameter '${name}': ${what}`)
}

export class Params {
  constructor(readonly query: QueryParams) {}

  has(name: string): boolean {
    return this.query.has(name)
  }

  /** Every value of a repeated parameter (e.g. champ/get's two `arg`s). */
  all(name: string): readonly string[] {
    return this.query.get(name) ?? []
  }

  /** The single value of `name`; missing or repeated is an error (no first/last ambiguity). */
  string(name: string, max = MAX_VALUE_LENGTH): string {
    const v = this.query.get(name)
    if (v === undefined) throw new BadRequestError(`Missing parameter '${name}'`)
    if (v.length !== 1) throw new BadRequestError(`Duplicate parameter '${name}'`)
    if (v[0].length > max) invalid(name, 'too long')
    return v[0]
  }

  optString(name: string, max = MAX_VALUE_LENGTH): string | undefined {
    return this.has(name) ? this.string(name, max) : undefined
  }

  /** A value matching `pattern` (anchored by the caller). */
  matching(name: string, pattern: RegExp, what: string): string {
    const v = this.string(name)
    if (!pattern.test(v)) invalid(name, what)
    return v
  }

  cid(name: string, value = this.string(name)): CID {
    try {
      return parseCid(value)
    } catch {
      return invalid(name, 'not a CID')
    }
  }

  publicKeyHash(name: string, value = this.string(name)): PublicKeyHash {
    const cid = this.cid(name, value)
    try {
      return checkPublicKeyHash(cid)
    } catch {
      return invalid(name, 'not a public key hash')
    }
  }

  owner(): PublicKeyHash {
    return this.publicKeyHash('owner')
  }

  hex(name: string, maxBytes: number, value = this.string(name)): Uint8Array {
    if (value.length > 2 * maxBytes) invalid(name, 'too long')
    try {
      return hexToBytes(value)
    } catch {
      return invalid(name, 'not hex')
    }
  }

  /** Boolean.parseBoolean, strictly: only "true" or "false". */
  bool(name: string): boolean {
    const v = this.string(name)
    if (v === 'true') return true
    if (v === 'false') return false
    return invalid(name, 'not a boolean')
  }

  optBool(name: string, fallback: boolean): boolean {
    return this.has(name) ? this.bool(name) : fallback
  }

  /** A positive decimal integer that JavaScript represents exactly. */
  positiveInt(name: string): number {
    const v = this.string(name, 20)
    if (!/^[1-9][0-9]{0,15}$/.test(v)) invalid(name, 'not a positive integer')
    const n = Number(v)
    if (!Number.isSafeInteger(n)) invalid(name, 'out of range')
    return n
  }

  batWithId(name: string): BatWithId {
    try {
      return decodeBatWithId(this.string(name, 256))
    } catch (e) {
      if (e instanceof BadRequestError) throw e
      return invalid(name, 'not a BatWithId')
    }
  }

  optBatWithId(name: string): BatWithId | undefined {
    return this.has(name) ? this.batWithId(name) : undefined
  }
}
