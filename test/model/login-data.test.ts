import { beforeAll, describe, expect, it } from 'vitest'
import { CborTypeError } from '../../src/codec/errors.ts'
import { parseCid } from '../../src/codec/cid.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import { publicBoxingKeyHash } from '../../src/model/boxing-key-pair.ts'
import { IncorrectPasswordError } from '../../src/model/errors.ts'
import { decodeLoginData, encodeLoginData, loginDataFromCbor, loginDataToCbor, type LoginData } from '../../src/model/login-data.ts'
import { publicKeyHash, publicSigningKeyToCbor } from '../../src/model/signing-keys.ts'
import { decryptEntryPoints, userStaticDataToCbor } from '../../src/model/user-static-data.ts'
import { encodeCbor } from '../../src/codec/cbor.ts'
import { logIn, loginDataOfRow, type LoggedIn } from './account.ts'
import { fuzzDecoder } from './fuzz.ts'
import { describeVectors, hex, loadVector, toHex } from '../vectors.ts'

let c: CryptoProvider
beforeAll(async () => { c = await createNodeCrypto() })

describeVectors('LoginData of the real account (login-rows.json)', () => {
  const rows = loadVector('account-alice/login-rows.json').rows
  const manifest = loadVector('account-alice/manifest.json')
  let alice: LoggedIn
  let bob: LoggedIn
  beforeAll(async () => {
    ;[alice, bob] = await Promise.all([logIn(c, 'alice'), logIn(c, 'bob')])
  })

  it('each row (entry = UserStaticData, reader = login key) makes a LoginData that round-trips byte-exactly', () => {
    for (const row of rows) {
      const d = loginDataOfRow(row.username)
      // 4096-byte padding: two blocks of plaintext, plus the 16-byte MAC, nonce and CBOR headers.
      expect(d.entryPoints.cipherText.length).toBe(8192 + 16)
      expect(toHex(encodeCbor(userStaticDataToCbor(d.entryPoints)))).toBe(row.entryHex)
      expect(toHex(encodeCbor(publicSigningKeyToCbor(d.authorisedReader)))).toBe(row.readerHex)
      const bytes = encodeLoginData(d)
      expect(toHex(bytes)).toContain(row.entryHex)
      expect(decodeLoginData(bytes)).toEqual(d)
    }
  })

  for (const name of ['alice', 'bob'] as const) {
    it(`${name}: the password derives the login key (= authorised reader) and opens her entry points`, () => {
      const u = name === 'alice' ? alice : bob
      expect(u.loginData.authorisedReader).toEqual(u.loginKeys.publicKey)
      expect(u.entryPoints.version).toBe(2)
      expect(u.entryPoints.entries.length).toBeGreaterThan(0)
      expect(u.entryPoints.entries[0].ownerName).toBe(name)
      expect(u.entryPoints.entries[0].pointer.owner.equals(u.identity)).toBe(true)
      expect(u.entryPoints.entries[0].pointer.wBaseKey).toBeDefined()
      // The identity key pair inside the login data is the user's PKI identity.
      expect(publicKeyHash(u.entryPoints.identity!.publicKey).equals(parseCid(manifest.users[name].identity))).toBe(true)
      // The boxer is a hybrid pair whose hash is the identity WriterData's `inbound`.
      expect(u.entryPoints.boxer!.publicKey.type).toBe(2)
      expect(publicBoxingKeyHash(c, u.entryPoints.boxer!.publicKey).equals(u.identityWriterData.followRequestReceiver!)).toBe(true)
    })
  }

  it('the wrong root key gives IncorrectPasswordError "Incorrect username or password"', () => {
    const err = (() => { try { decryptEntryPoints(c, bob.rootKey, alice.loginData.entryPoints) } catch (e) { return e } })()
    expect(err).toBeInstanceOf(IncorrectPasswordError)
    expect((err as Error).message).toBe('Incorrect username or password')
  })

  it('the identity-update pair must be complete', () => {
    const d = alice.loginData
    const withUpdate: LoginData = {
      ...d,
      identityUpdate: {
        block: { writer: alice.identity, signature: new Uint8Array(96), block: new Uint8Array([0xa0]), isRaw: false },
        pointer: { writer: alice.identity, signedUpdate: new Uint8Array(100) },
      },
    }
    expect(decodeLoginData(encodeLoginData(withUpdate))).toEqual(withUpdate)
    const half = loginDataToCbor(withUpdate) as Map<string, unknown>
    half.delete('p')
    expect(() => loginDataFromCbor(half as never)).toThrow(CborTypeError)
  })

  it('decoding untrusted bytes only throws PeergosErrors', () => {
    fuzzDecoder(decodeLoginData, rows.map((r: { username: string }) => encodeLoginData(loginDataOfRow(r.username))))
  })
})
