// TofuKeyStore (Peergos shared/user/TofuKeyStore.java, stored as /<user>/.keystore by TofuCoreNode):
// the claim chain of every user this client has looked up, kept from the first time it was seen
// (trust on first use), so a later change of someone's identity key is noticed. CBOR
// {username: [UserPublicKeyLink...]} (current and expired chains in one map).
import { decodeCbor, encodeCbor, type CborValue } from '../codec/cbor.ts'
import { asList, Fields } from '../codec/cbor-read.ts'
import { userPublicKeyLinkFromCbor, userPublicKeyLinkToCbor, type UserPublicKeyLink } from './user-public-key-link.ts'
import { InvalidObjectError } from './errors.ts'

export interface TofuKeyStore {
  readonly chains: ReadonlyMap<string, readonly UserPublicKeyLink[]>
}

export const EMPTY_TOFU_KEY_STORE: TofuKeyStore = { chains: new Map() }

/** The store with `username`'s chain set. */
export function withChain(s: TofuKeyStore, username: string, chain: readonly UserPublicKeyLink[]): TofuKeyStore {
  return { chains: new Map([...s.chains, [username, [...chain]]]) }
}

export function tofuKeyStoreToCbor(s: TofuKeyStore): CborValue {
  const m = new Map<string, CborValue>()
  for (const [name, chain] of s.chains) m.set(name, chain.map(userPublicKeyLinkToCbor))
  return m
}

export function tofuKeyStoreFromCbor(v: CborValue): TofuKeyStore {
  const chains = new Map<string, UserPublicKeyLink[]>()
  for (const [name, value] of Fields.of(v, 'TofuKeyStore').map) {
    const chain = asList(value, `TofuKeyStore.${name}`).map(userPublicKeyLinkFromCbor)
    if (chain.length === 0) throw new InvalidObjectError(`TofuKeyStore: empty chain for ${name}`)
    chains.set(name, chain)
  }
  return { chains }
}

export function encodeTofuKeyStore(s: TofuKeyStore): Uint8Array {
  return encodeCbor(tofuKeyStoreToCbor(s))
}

export function decodeTofuKeyStore(bytes: Uint8Array): TofuKeyStore {
  return tofuKeyStoreFromCbor(decodeCbor(bytes, { maxDepth: 8 }))
}
