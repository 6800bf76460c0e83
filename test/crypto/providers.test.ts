// One suite, run against both crypto providers: the Peergos golden vectors (crypto.json, login.json),
// standard test vectors (RFC 8032, RFC 7914, RFC 4231, Blake3), ML-KEM-1024 and input validation.
import { beforeAll, describe, expect, it } from 'vitest'
import {
  constantTimeEqual, generateProofOfWork, hkdfKey, loginScrypt, satisfiesDifficulty, splitLoginSecret,
} from '../../src/crypto/index.ts'
import type { CryptoProvider } from '../../src/crypto/index.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import { createPortableCrypto } from '../../src/crypto/providers/portable.ts'
import { describeVectors, haveVectors, hex, loadVector, toHex } from '../vectors.ts'

const CRYPTO = haveVectors ? loadVector('crypto.json') : undefined
const LOGIN = haveVectors ? loadVector('login.json') : { cases: [] }
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const LOGIN_CASES: Array<[string, any]> = LOGIN.cases.map((v: { username: string }) => [v.username, v])
const utf8 = (s: string) => new TextEncoder().encode(s)
/** The last n bytes of a hex CBOR field (e.g. the key inside `82 01 58 20 <pk32>`). */
const tail = (cborHex: string, n: number) => hex(cborHex).slice(-n)

function flip(bytes: Uint8Array, i: number): Uint8Array {
  const out = bytes.slice()
  out[i] ^= 0x01
  return out
}

function expectThrowName(fn: () => unknown, name: string): void {
  let caught: unknown
  try {
    fn()
  } catch (e) {
    caught = e
  }
  expect(caught, `expected ${name}`).toBeInstanceOf(Error)
  expect((caught as Error).name).toBe(name)
}

/** Finds the byte string after a CBOR prefix (text key + byte-string header) in a blob; occurrence = 0, 1... */
function bytesAfter(blob: Uint8Array, prefixHex: string, length: number, occurrence = 0): Uint8Array {
  const needle = toHex(hex(prefixHex))
  const h = toHex(blob)
  let at = -1
  for (let k = 0; k <= occurrence; k++) {
    do at = h.indexOf(needle, at + 1)
    while (at !== -1 && at % 2 !== 0)
    if (at === -1) throw new Error(`prefix ${prefixHex} not found`)
  }
  const start = at / 2 + needle.length / 2
  return blob.slice(start, start + length)
}

const PROVIDERS = [
  ['node', createNodeCrypto],
  ['portable', createPortableCrypto],
] as const

describe.each(PROVIDERS)('%s crypto provider', (name, create) => {
  let c: CryptoProvider
  beforeAll(async () => {
    c = await create()
  })

  it('names itself', () => {
    expect(c.name).toBe(name)
  })

  describeVectors('crypto.json (Peergos golden vectors)', () => {
    it('secretbox: encrypts to the vector, opens it, refuses tampering and wrong keys', () => {
      for (const v of CRYPTO.secretbox.cases) {
        const key = hex(v.key), nonce = hex(v.nonce), msg = hex(v.message), out = hex(v.output)
        expect(toHex(c.secretbox(msg, nonce, key))).toBe(v.output)
        expect(toHex(c.secretboxOpen(out, nonce, key))).toBe(v.message)
        expectThrowName(() => c.secretboxOpen(flip(out, 0), nonce, key), 'DecryptionFailedError')
        expectThrowName(() => c.secretboxOpen(flip(out, out.length - 1), nonce, key), 'DecryptionFailedError')
        expectThrowName(() => c.secretboxOpen(out, flip(nonce, 3), key), 'DecryptionFailedError')
        expectThrowName(() => c.secretboxOpen(out, nonce, flip(key, 7)), 'DecryptionFailedError')
        expectThrowName(() => c.secretboxOpen(out.subarray(0, 15), nonce, key), 'DecryptionFailedError')
      }
    })

    it('ed25519: seed → key pair, attached and detached signatures, verification', () => {
      for (const v of CRYPTO.ed25519.cases) {
        const kp = c.signKeyPairFromSeed(hex(v.seed))
        expect(toHex(kp.publicKey)).toBe(toHex(tail(v.publicKeyCbor, 32)))
        expect(toHex(kp.secretKey)).toBe(toHex(tail(v.secretKeyCbor, 64)))
        const msg = hex(v.message), signed = hex(v.signedAttached), sig = hex(v.signatureOnly)
        expect(toHex(c.signAttached(msg, kp.secretKey))).toBe(v.signedAttached)
        expect(toHex(c.signDetached(msg, kp.secretKey))).toBe(v.signatureOnly)
        expect(toHex(c.openAttached(signed, kp.publicKey))).toBe(v.message)
        expect(c.verifyDetached(sig, msg, kp.publicKey)).toBe(true)
        expectThrowName(() => c.openAttached(flip(signed, 10), kp.publicKey), 'InvalidSignatureError')
        expectThrowName(() => c.openAttached(flip(signed, signed.length - 1), kp.publicKey), 'InvalidSignatureError')
        expectThrowName(() => c.openAttached(signed.subarray(0, 63), kp.publicKey), 'InvalidSignatureError')
        expectThrowName(() => c.openAttached(signed, flip(kp.publicKey, 0)), 'InvalidSignatureError')
        expect(c.verifyDetached(flip(sig, 40), msg, kp.publicKey)).toBe(false)
        expect(c.verifyDetached(sig, flip(msg, 0), kp.publicKey)).toBe(false)
        expect(c.verifyDetached(sig.subarray(0, 63), msg, kp.publicKey)).toBe(false)
      }
    })

    it('curve25519 box: Peergos layout ct ‖ nonce opens and re-encrypts byte for byte', () => {
      const v = CRYPTO.curve25519Box
      const senderSecret = hex(v.senderSecret), recipientSecret = hex(v.recipientSecret)
      const senderPublic = tail(v.senderPublicCbor, 32), recipientPublic = tail(v.recipientPublicCbor, 32)
      expect(toHex(c.boxKeyPairFromSecret(senderSecret).publicKey)).toBe(toHex(senderPublic))
      expect(toHex(c.boxKeyPairFromSecret(recipientSecret).publicKey)).toBe(toHex(recipientPublic))
      for (const k of v.cases) {
        const whole = hex(k.ciphertext)
        const boxed = whole.subarray(0, whole.length - 24), nonce = whole.subarray(whole.length - 24)
        expect(toHex(c.boxOpen(boxed, nonce, senderPublic, recipientSecret))).toBe(k.message)
        expect(toHex(c.box(hex(k.message), nonce, recipientPublic, senderSecret))).toBe(toHex(boxed))
        expectThrowName(() => c.boxOpen(flip(boxed, 0), nonce, senderPublic, recipientSecret), 'DecryptionFailedError')
        expectThrowName(() => c.boxOpen(boxed, nonce, recipientPublic, recipientSecret), 'DecryptionFailedError')
      }
    })

    it('hybrid Curve25519 + ML-KEM-1024: the Peergos secret key decapsulates and the payload opens', () => {
      // No CBOR codec at this layer: the fields are located by their CBOR headers (see the hybrid findings).
      const v = CRYPTO.hybridCurve25519Mlkem
      const pair = hex(v.recipientKeyPairCbor), ct = hex(v.ciphertext)
      const dk = bytesAfter(pair, '6173590c60', 3168) // "s": bytes(3168), FIPS 203 decapsulation key
      const ek = bytesAfter(pair, '616da16170590620', 1568) // "m": {"p": bytes(1568)}
      expect(toHex(dk.subarray(1536, 3104))).toBe(toHex(ek)) // dk = dkPKE ‖ ek ‖ H(ek) ‖ z
      const curveSecret = bytesAfter(pair, '616382015820', 32, 1) // second "c": [1, bytes(32)] is the secret
      const senderPublic = bytesAfter(hex(v.senderPublicCbor), '616382015820', 32)
      expect(ct[0]).toBe(0xa4) // map of 4: c, i, m, n
      const cField = bytesAfter(ct, '61635848', 72) // box(s1) ‖ nonce24
      const mField = bytesAfter(ct, '616d590620', 1568)
      const nField = bytesAfter(ct, '616e5818', 24)
      const iLen = hex(v.plaintext).length + 16
      const iField = bytesAfter(ct, '6169' + (iLen < 24 ? (0x40 + iLen).toString(16) : '58' + iLen.toString(16).padStart(2, '0')), iLen)
      const s1 = c.boxOpen(cField.subarray(0, 48), cField.subarray(48), senderPublic, curveSecret)
      const s2 = c.mlkemDecapsulate(mField, dk)
      const ikm = new Uint8Array(64)
      ikm.set(s1, 0)
      ikm.set(s2, 32)
      expect(toHex(c.secretboxOpen(iField, nField, hkdfKey(c, ikm)))).toBe(v.plaintext)
    })

    it('hkdfKey and HMAC-SHA256', () => {
      const hmacKey = c.sha256(utf8('hmac-key')) // fixed('hmac-key')
      for (const v of CRYPTO.hkdf.cases) {
        expect(toHex(hkdfKey(c, hex(v.ikm)))).toBe(v.hkdfKey)
        expect(toHex(c.hmacSha256(hmacKey, hex(v.ikm)))).toBe(v["hmacSha256_key=fixed('hmac-key')"])
      }
    })

    it('blake2b-512 PKI key hash of usernames', () => {
      for (const v of CRYPTO.blake2bPkiKey.cases) expect(toHex(c.blake2b512(utf8(v.username)))).toBe(v.blake2b512)
    })

    it('sha256 of the CID input', () => {
      expect(toHex(c.sha256(hex(CRYPTO.cids.input)))).toBe(toHex(tail(CRYPTO.cids.rawBytes, 32)))
    })

    it('proof of work: same prefix as Peergos, satisfiesDifficulty examples', () => {
      for (const v of CRYPTO.proofOfWork.generated) {
        const data = hex(v.data)
        const prefix = generateProofOfWork(c, data, v.difficulty)
        expect(toHex(prefix)).toBe(v.prefix)
        const h = c.sha256(hex(v.prefix + v.data))
        expect(toHex(h)).toBe(v['sha256(prefix||data)'])
        expect(satisfiesDifficulty(h, v.difficulty)).toBe(v.satisfies)
        expect(satisfiesDifficulty(h, v.difficulty + 4)).toBe(v.satisfiesDifficultyPlus4)
      }
      for (const v of CRYPTO.proofOfWork.satisfiesExamples) expect(satisfiesDifficulty(hex(v.hash), v.difficulty)).toBe(v.satisfies)
    })
  })

  describeVectors('login.json (Peergos login derivation)', () => {
    it.each(LOGIN_CASES)('%s', async (_u, v) => {
      const out = await loginScrypt(c, v.username, v.password, v.algorithm)
      expect(toHex(out)).toBe(v.scryptOutput)
      expect(toHex(c.sha256(utf8(v.password)))).toBe(v.scryptPassword_sha256)
      const s = splitLoginSecret(out)
      const login = c.signKeyPairFromSeed(s.loginSeed)
      expect(toHex(login.publicKey)).toBe(toHex(tail(v.loginPublicKeyCbor, 32)))
      expect(toHex(login.secretKey)).toBe(toHex(tail(v.loginSecretKeyCbor, 64)))
      expect(toHex(s.rootKey)).toBe(v.loginRootKey)
      if (v.algorithm.outputBytes === 96) {
        expect(v.legacyBoxerPublicKeyCbor).toBeTypeOf('string')
        expect(toHex(c.boxKeyPairFromSecret(s.legacyBoxerSecret!).publicKey)).toBe(toHex(tail(v.legacyBoxerPublicKeyCbor, 32)))
      } else {
        expect(s.legacyBoxerSecret).toBeUndefined()
      }
    })
  })

  describe('standard test vectors', () => {
    // RFC 8032 §7.1 TEST 1, 2, 3 and TEST SHA(abc).
    const RFC8032 = [
      ['9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', '',
        'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b'],
      ['4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb', '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c', '72',
        '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00'],
      ['c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7', 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025', 'af82',
        '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a'],
      ['833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42', 'ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf',
        'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
        'dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704'],
    ]
    it.each(RFC8032)('RFC 8032 Ed25519 seed %s', (seed, pk, msg, sig) => {
      const kp = c.signKeyPairFromSeed(hex(seed))
      expect(toHex(kp.publicKey)).toBe(pk)
      expect(toHex(kp.secretKey)).toBe(seed + pk)
      expect(toHex(c.signDetached(hex(msg), kp.secretKey))).toBe(sig)
      expect(toHex(c.signAttached(hex(msg), kp.secretKey))).toBe(sig + msg)
      expect(c.verifyDetached(hex(sig), hex(msg), hex(pk))).toBe(true)
      expect(toHex(c.openAttached(hex(sig + msg), hex(pk)))).toBe(msg)
    })

    it('RFC 7914 scrypt: N=16 r=1 p=1, empty password and salt', async () => {
      const out = await c.scrypt(new Uint8Array(0), new Uint8Array(0), 4, 1, 1, 64)
      expect(toHex(out)).toBe('77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906')
    })

    it("RFC 7914 scrypt: 'password' / 'NaCl', N=1024 r=8 p=16", async () => {
      const out = await c.scrypt(utf8('password'), utf8('NaCl'), 10, 8, 16, 64)
      expect(toHex(out)).toBe('fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640')
    })

    it('RFC 4231 HMAC-SHA256 test cases 1 and 2', () => {
      expect(toHex(c.hmacSha256(new Uint8Array(20).fill(0x0b), utf8('Hi There')))).toBe('b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7')
      expect(toHex(c.hmacSha256(utf8('Jefe'), utf8('what do ya want for nothing?')))).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843')
    })

    it('SHA-256, Blake3 and Blake2b-512 of known inputs', () => {
      expect(toHex(c.sha256(utf8('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
      expect(toHex(c.sha256(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
      expect(toHex(c.blake3(new Uint8Array(0)))).toBe('af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262')
      expect(toHex(c.blake2b512(utf8('abc')))).toBe('ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923')
    })

    it('sha256Into writes the digest at an offset, touches nothing else, and refuses a target it does not fit', () => {
      const out = new Uint8Array(40).fill(0xee)
      c.sha256Into(utf8('abc'), out, 4)
      expect(toHex(out.subarray(4, 36))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
      expect([...out.subarray(0, 4), ...out.subarray(36)]).toEqual(new Array(8).fill(0xee))
      const big = new Uint8Array(300_000).map((_, i) => i * 7)
      c.sha256Into(big, out, 0)
      expect(toHex(out.subarray(0, 32))).toBe(toHex(c.sha256(big)))
      expectThrowName(() => c.sha256Into(big, out, 9), 'InvalidCryptoInputError')
      expectThrowName(() => c.sha256Into(big, out, -1), 'InvalidCryptoInputError')
      expectThrowName(() => c.sha256Into(big, new Uint8Array(31), 0), 'InvalidCryptoInputError')
      expectThrowName(() => c.sha256Into('abc' as never, out, 0), 'InvalidCryptoInputError')
    })
  })

  describe('ML-KEM-1024', () => {
    it('round trip: keygen, encapsulate, decapsulate give the same secret', () => {
      const kp = c.mlkemKeyPair()
      expect(kp.publicKey.length).toBe(1568)
      expect(kp.secretKey.length).toBe(3168)
      expect(toHex(kp.secretKey.subarray(1536, 3104))).toBe(toHex(kp.publicKey))
      const { cipherText, sharedSecret } = c.mlkemEncapsulate(kp.publicKey)
      expect(cipherText.length).toBe(1568)
      expect(sharedSecret.length).toBe(32)
      expect(toHex(c.mlkemDecapsulate(cipherText, kp.secretKey))).toBe(toHex(sharedSecret))
      // Implicit rejection: a modified ciphertext decapsulates to an unrelated secret, without an error.
      expect(toHex(c.mlkemDecapsulate(flip(cipherText, 100), kp.secretKey))).not.toBe(toHex(sharedSecret))
    })

    it('keygen from a 64-byte seed is deterministic', () => {
      const seed = new Uint8Array(64).fill(7)
      const a = c.mlkemKeyPair(seed), b = c.mlkemKeyPair(seed)
      expect(toHex(a.publicKey)).toBe(toHex(b.publicKey))
      expect(toHex(a.secretKey)).toBe(toHex(b.secretKey))
    })
  })

  describe('randomness and helpers', () => {
    it('randomBytes gives fresh bytes of any length (above the 64 KiB WebCrypto chunk too)', () => {
      expect(c.randomBytes(0).length).toBe(0)
      const a = c.randomBytes(100_000), b = c.randomBytes(100_000)
      expect(a.length).toBe(100_000)
      expect(constantTimeEqual(a, b)).toBe(false)
      expect(a.subarray(99_000).some((x) => x !== 0)).toBe(true)
    })

    it('round-trips large secretboxes and signed messages', () => {
      const key = c.randomBytes(32), nonce = c.randomBytes(24), msg = c.randomBytes(3 * 2 ** 20 + 5)
      const boxed = c.secretbox(msg, nonce, key)
      expect(boxed.length).toBe(msg.length + 16)
      expect(constantTimeEqual(c.secretboxOpen(boxed, nonce, key), msg)).toBe(true)
      const kp = c.signKeyPairFromSeed(c.randomBytes(32))
      expect(constantTimeEqual(c.openAttached(c.signAttached(msg, kp.secretKey), kp.publicKey), msg)).toBe(true)
    })

    it('constantTimeEqual and splitLoginSecret', () => {
      expect(constantTimeEqual(hex('0102'), hex('0102'))).toBe(true)
      expect(constantTimeEqual(hex('0102'), hex('0103'))).toBe(false)
      expect(constantTimeEqual(hex('0102'), hex('010200'))).toBe(false)
      expectThrowName(() => splitLoginSecret(new Uint8Array(32)), 'InvalidCryptoInputError')
    })
  })

  describe('input validation', () => {
    const k32 = new Uint8Array(32), n24 = new Uint8Array(24), m = new Uint8Array(10)
    it.each([
      ['secretbox short nonce', () => c.secretbox(m, new Uint8Array(23), k32)],
      ['secretbox short key', () => c.secretbox(m, n24, new Uint8Array(31))],
      ['secretboxOpen long key', () => c.secretboxOpen(new Uint8Array(32), n24, new Uint8Array(33))],
      ['secretbox non-bytes message', () => c.secretbox('hello' as unknown as Uint8Array, n24, k32)],
      ['sign seed of 31 bytes', () => c.signKeyPairFromSeed(new Uint8Array(31))],
      ['signAttached with a 32-byte secret key', () => c.signAttached(m, k32)],
      ['signDetached with a 32-byte secret key', () => c.signDetached(m, k32)],
      ['openAttached with a 31-byte public key', () => c.openAttached(new Uint8Array(80), new Uint8Array(31))],
      ['verifyDetached with a 33-byte public key', () => c.verifyDetached(new Uint8Array(64), m, new Uint8Array(33))],
      ['box key pair from 31 bytes', () => c.boxKeyPairFromSecret(new Uint8Array(31))],
      ['box short nonce', () => c.box(m, new Uint8Array(8), k32, k32)],
      ['box short public key', () => c.box(m, n24, new Uint8Array(31), k32)],
      ['boxOpen short secret key', () => c.boxOpen(new Uint8Array(32), n24, k32, new Uint8Array(16))],
      ['ML-KEM seed of 32 bytes', () => c.mlkemKeyPair(new Uint8Array(32))],
      ['ML-KEM encapsulate to a short key', () => c.mlkemEncapsulate(new Uint8Array(1567))],
      ['ML-KEM decapsulate a short ciphertext', () => c.mlkemDecapsulate(new Uint8Array(1500), new Uint8Array(3168))],
      ['ML-KEM decapsulate with a seed-sized key', () => c.mlkemDecapsulate(new Uint8Array(1568), new Uint8Array(64))],
      ['randomBytes(-1)', () => c.randomBytes(-1)],
      ['proof of work difficulty 257', () => generateProofOfWork(c, m, 257)],
    ])('%s → InvalidCryptoInputError', (_what, fn) => {
      expectThrowName(fn, 'InvalidCryptoInputError')
    })

    it('crypto_box with a small-order (all-zero) public key is refused', () => {
      expectThrowName(() => c.box(m, n24, k32, c.randomBytes(32)), 'InvalidCryptoInputError')
    })

    it.each([
      ['log2N = 0', [0, 8, 1, 64]],
      ['log2N = 2.5', [2.5, 8, 1, 64]],
      ['r = 0', [10, 0, 1, 64]],
      ['p = 0', [10, 8, 0, 64]],
      ['dkLen = 0', [10, 8, 1, 0]],
      ['memory above the cap', [25, 8, 1, 64]],
    ] as const)('scrypt rejects %s', async (_what, [log2N, r, p, dkLen]) => {
      await expect(c.scrypt(m, m, log2N, r, p, dkLen)).rejects.toMatchObject({ name: 'InvalidCryptoInputError' })
    })
  })
})

describe('node and portable providers agree', () => {
  it('on every deterministic operation for random inputs', async () => {
    const [a, b] = await Promise.all([createNodeCrypto(), createPortableCrypto()])
    for (const len of [0, 1, 63, 64, 65, 1000, 70_000]) {
      const data = a.randomBytes(len), key = a.randomBytes(32), nonce = a.randomBytes(24), seed = a.randomBytes(32)
      expect(toHex(b.sha256(data))).toBe(toHex(a.sha256(data)))
      expect(toHex(b.blake2b512(data))).toBe(toHex(a.blake2b512(data)))
      expect(toHex(b.blake3(data))).toBe(toHex(a.blake3(data)))
      expect(toHex(b.hmacSha256(data, key))).toBe(toHex(a.hmacSha256(data, key)))
      expect(toHex(b.secretbox(data, nonce, key))).toBe(toHex(a.secretbox(data, nonce, key)))
      const ka = a.signKeyPairFromSeed(seed)
      expect(toHex(b.signKeyPairFromSeed(seed).secretKey)).toBe(toHex(ka.secretKey))
      expect(toHex(b.signAttached(data, ka.secretKey))).toBe(toHex(a.signAttached(data, ka.secretKey)))
      const other = a.boxKeyPairFromSecret(a.randomBytes(32))
      expect(toHex(b.boxKeyPairFromSecret(key).publicKey)).toBe(toHex(a.boxKeyPairFromSecret(key).publicKey))
      expect(toHex(b.box(data, nonce, other.publicKey, key))).toBe(toHex(a.box(data, nonce, other.publicKey, key)))
    }
    const salt = a.randomBytes(20), pw = a.randomBytes(32)
    expect(toHex(await b.scrypt(pw, salt, 12, 8, 1, 96))).toBe(toHex(await a.scrypt(pw, salt, 12, 8, 1, 96)))
  })
})
