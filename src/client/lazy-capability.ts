// A child's absolute capability whose write key (a secretbox opening of its link) is derived only
// when read: a listing of 10,000 files does not open 10,000 write-key links nobody asks for. The
// key is an own enumerable accessor (a spread copy or Object.keys sees it, as on a plain capability)
// whose getter is one function shared by every instance: a getter closure per object cost a map,
// an accessor pair and a context each, ~1 KB per child of a listing.
import type { CryptoProvider } from '../crypto/provider.ts'
import type { AbsoluteCapability } from '../model/capability.ts'
import type { Bat } from '../model/bat.ts'
import { symmetricLinkTarget, toAbsolute, type RelativeCapability, type SymmetricLink } from '../model/relative-capability.ts'
import type { PublicKeyHash } from '../model/signing-keys.ts'
import type { SymmetricKey } from '../model/symmetric-key.ts'

class LazyWriteCapability {
  readonly owner: PublicKeyHash
  readonly writer: PublicKeyHash
  readonly mapKey: Uint8Array
  readonly bat: Bat | undefined
  readonly rBaseKey: SymmetricKey
  declare readonly wBaseKey: SymmetricKey
  readonly #crypto: CryptoProvider
  readonly #link: SymmetricLink
  readonly #parentW: SymmetricKey
  #w: SymmetricKey | undefined = undefined

  constructor(c: CryptoProvider, rel: RelativeCapability, link: SymmetricLink, source: AbsoluteCapability, parentW: SymmetricKey) {
    this.owner = source.owner
    this.writer = rel.writer ?? source.writer
    this.mapKey = rel.mapKey
    this.bat = rel.bat
    this.rBaseKey = rel.rBaseKey
    this.#crypto = c
    this.#link = link
    this.#parentW = parentW
    Object.defineProperty(this, 'wBaseKey', WRITE_KEY)
  }

  static writeKey(cap: LazyWriteCapability): SymmetricKey {
    return (cap.#w ??= symmetricLinkTarget(cap.#crypto, cap.#link, cap.#parentW))
  }
}

const WRITE_KEY: PropertyDescriptor = {
  enumerable: true,
  get(this: LazyWriteCapability): SymmetricKey {
    return LazyWriteCapability.writeKey(this)
  },
}

/** `rel` made absolute under `source`; a write key, when both have one, opened on first read. */
export function lazyAbsolute(c: CryptoProvider, rel: RelativeCapability, source: AbsoluteCapability): AbsoluteCapability {
  if (source.wBaseKey === undefined || rel.wBaseKeyLink === undefined) return toAbsolute(c, rel, source)
  return new LazyWriteCapability(c, rel, rel.wBaseKeyLink, source, source.wBaseKey)
}
