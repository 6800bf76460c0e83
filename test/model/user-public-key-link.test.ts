import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { parseCid } from '../../src/codec/cid.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import { InvalidClaimChainError } from '../../src/model/errors.ts'
import { parseLocalDate } from '../../src/model/local-date.ts'
import { publicKeyHash, type SigningPrivateKeyAndPublicHash } from '../../src/model/signing-keys.ts'
import {
  chainHomeServer, chainOwner, createInitialChain, createKeyChangeChain, decodeChain, encodeChain, isExpiredClaim, mergeChains,
  userPublicKeyLinkToCbor, validChain, validClaim, validLink, type UserPublicKeyLink,
} from '../../src/model/user-public-key-link.ts'
import { encodeCbor } from '../../src/codec/cbor.ts'
import { FUZZ_RUNS, fuzzDecoder, onlyPeergosErrorsAsync, untrustedBytes } from './fuzz.ts'
import { describeVectors, hex, loadVector, toHex } from '../vectors.ts'

let c: CryptoProvider
beforeAll(async () => { c = await createNodeCrypto() })

function signer(seed: Uint8Array): SigningPrivateKeyAndPublicHash {
  const kp = c.signKeyPairFromSeed(seed)
  return { publicKeyHash: publicKeyHash(kp.publicKey), secretKey: kp.secretKey }
}

async function expectMergeError(existing: UserPublicKeyLink[], updated: UserPublicKeyLink[], message: string): Promise<void> {
  const err = await mergeChains(c, existing, updated).then(() => undefined, (e: unknown) => e)
  expect(err).toBeInstanceOf(InvalidClaimChainError)
  expect((err as Error).name).toBe('InvalidClaimChainError')
  expect((err as Error).message).toBe(message)
}

describeVectors('UserPublicKeyLink (cbor.json)', () => {
  const v = loadVector('cbor.json').UserPublicKeyLink
  const server = parseCid(v.serverId)
  const expiry = parseLocalDate('2030-01-01')

  it('createInitial is byte-exact', () => {
    const chain = createInitialChain(c, signer(hex(v.ownerSeed)), 'alice', expiry, [server])
    expect(toHex(encodeCbor(userPublicKeyLinkToCbor(chain[0])))).toBe(v.initialLinkCbor)
    expect(toHex(encodeChain(chain))).toBe(v.initialChainCbor)
    expect(encodeChain(decodeChain(hex(v.initialChainCbor)))).toEqual(hex(v.initialChainCbor))
  })

  it('createChain (key change) is byte-exact, with LocalDate.MAX on the old link', () => {
    const next = signer(hex(v.newOwnerSeed))
    expect(next.publicKeyHash.toString()).toBe(parseCid(v.newOwner).toString())
    const chain = createKeyChangeChain(c, signer(hex(v.ownerSeed)), next, 'alice', expiry, [server])
    expect(toHex(encodeCbor(userPublicKeyLinkToCbor(chain[0])))).toBe(v.keyChangeLink0Cbor)
    expect(toHex(encodeCbor(userPublicKeyLinkToCbor(chain[1])))).toBe(v.keyChangeLink1Cbor)
    expect(toHex(encodeChain(chain))).toBe(v.keyChangeChainCbor)
    const decoded = decodeChain(hex(v.keyChangeChainCbor))
    expect(decoded[0].keyChangeProof).toBeDefined()
    expect(decoded[1].keyChangeProof).toBeUndefined()
    expect(chainOwner(decoded)!.equals(next.publicKeyHash)).toBe(true)
    expect(chainHomeServer(decoded)!.equals(server)).toBe(true)
  })

  it('both vector chains are valid, and merge gives the 2-link chain', async () => {
    const initial = decodeChain(hex(v.initialChainCbor))
    const changed = decodeChain(hex(v.keyChangeChainCbor))
    expect(await validChain(c, initial, 'alice')).toBe(true)
    expect(await validChain(c, changed, 'alice')).toBe(true)
    expect(await validChain(c, changed, 'bob')).toBe(false)
    expect(await validLink(c, changed[0], changed[1].owner, 'alice')).toBe(true)
    expect(await validLink(c, changed[0], changed[0].owner, 'alice')).toBe(false)
    const merged = await mergeChains(c, initial, changed)
    expect(merged.length).toBe(v.mergeOk)
    expect(encodeChain(merged)).toEqual(hex(v.keyChangeChainCbor))
    expect(await mergeChains(c, [], initial)).toEqual(initial)
    expect(await mergeChains(c, changed, changed)).toEqual(changed)
  })

  it('validity rules: usernames, providers and signatures', async () => {
    const initial = decodeChain(hex(v.initialChainCbor))
    expect(await validClaim(c, initial[0], 'alice')).toBe(true)
    expect(await validClaim(c, initial[0], 'alice ')).toBe(false)
    expect(await validClaim(c, initial[0], 'a\tlice')).toBe(false)
    expect(await validClaim(c, initial[0], 'x'.repeat(65))).toBe(false)
    const tampered = { ...initial[0], claim: { ...initial[0].claim, expiry: parseLocalDate('2031-01-01') } }
    expect(await validChain(c, [tampered], 'alice')).toBe(false)
    const badSig = { ...initial[0], claim: { ...initial[0].claim, signedContents: initial[0].claim.signedContents.map((b, i) => (i === 3 ? b ^ 1 : b)) } }
    expect(await validChain(c, [badSig], 'alice')).toBe(false)
    const noProvider = createInitialChain(c, signer(hex(v.ownerSeed)), 'alice', expiry, [])
    await expect(validChain(c, noProvider, 'alice')).rejects.toThrow('More than 1 storage providers in claim for alice')
    const changed = decodeChain(hex(v.keyChangeChainCbor))
    const oldWithProvider = [createInitialChain(c, signer(hex(v.ownerSeed)), 'alice', expiry, [server])[0], changed[1]]
    await expect(validChain(c, oldWithProvider, 'alice')).rejects.toThrow('Non empty storage providers in old claim for alice')
    expect(await validChain(c, [], 'alice')).toBe(false)
    expect(isExpiredClaim(initial[0], parseLocalDate('2030-01-02'))).toBe(true)
    expect(isExpiredClaim(initial[0], parseLocalDate('2030-01-01'))).toBe(false)
  })

  it('merge enforces the append-only rules with Peergos texts', async () => {
    const a = signer(hex(v.ownerSeed))
    const b = signer(hex(v.newOwnerSeed))
    const initial = createInitialChain(c, a, 'alice', expiry, [server])
    // Someone else claiming a taken name.
    await expectMergeError(initial, createInitialChain(c, b, 'alice', expiry, [server]), 'User already exists: Invalid key change attempt!')
    // Renewal must not move the expiry backwards; a later expiry is fine.
    await expectMergeError(initial, createInitialChain(c, a, 'alice', parseLocalDate('2029-12-31'), [server]), 'New claim chain expiry before existing!')
    const renewed = createInitialChain(c, a, 'alice', parseLocalDate('2031-01-01'), [server])
    expect(await mergeChains(c, initial, renewed)).toEqual(renewed)
    // A key change that goes back to a previous key.
    const changed = createKeyChangeChain(c, a, b, 'alice', expiry, [server])
    const back = createKeyChangeChain(c, b, a, 'alice', parseLocalDate('2031-01-01'), [server])
    await expectMergeError(changed, [changed[0], ...back], 'You cannot reuse a previous password!')
    // A key change starting from a key that is not the current one.
    const third = signer(new Uint8Array(32).fill(3))
    await expectMergeError(initial, createKeyChangeChain(c, b, third, 'alice', expiry, [server]), 'Different keys in merge chains intersection!')
    // A shorter chain is no update.
    await expectMergeError(changed, [changed[0]], 'Invalid key chain merge!')
    // An invalid (wrongly signed) tail is refused.
    const forged = [{ ...renewed[0], claim: { ...renewed[0].claim, expiry: parseLocalDate('2032-01-01') } }]
    await expectMergeError(initial, forged, 'Invalid key chain merge!')
  })
})

describeVectors('UserPublicKeyLink: real PKI chains (account-alice/pki-chains.json)', () => {
  const { chains } = loadVector('account-alice/pki-chains.json')

  it('every chain decodes, re-encodes byte-exactly and validates', async () => {
    for (const name of ['alice', 'bob', 'carol', 'peergos']) {
      const row = chains[name]
      const chain = decodeChain(hex(row.chainCbor))
      expect(toHex(encodeChain(chain))).toBe(row.chainCbor)
      expect(chain.length).toBe(row.links.length)
      expect(chainOwner(chain)!.toString()).toBe(parseCid(row.publicKeyHash).toString())
      expect(chain[0].claim.username).toBe(name)
      expect(await validChain(c, chain, name)).toBe(true)
      expect(await validChain(c, chain, name === 'bob' ? 'alice' : 'bob')).toBe(false)
    }
  })

  it('decoding untrusted chains only throws PeergosErrors; validation of mutants too', async () => {
    const valid = ['alice', 'bob', 'carol', 'peergos'].map((n) => hex(chains[n].chainCbor))
    const v = loadVector('cbor.json').UserPublicKeyLink
    valid.push(hex(v.keyChangeChainCbor))
    fuzzDecoder(decodeChain, valid)
    await fc.assert(fc.asyncProperty(untrustedBytes(valid), (bytes) => onlyPeergosErrorsAsync(async () => {
      const chain = decodeChain(bytes)
      await validChain(c, chain, chain[0]?.claim.username ?? 'alice')
    })), { numRuns: FUZZ_RUNS })
  })
})
