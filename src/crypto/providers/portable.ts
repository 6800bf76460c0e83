// Browser-safe crypto provider (reference §0.1): libsodium-wrappers (wasm) for XSalsa20-Poly1305 secretbox,
// Ed25519, Curve25519 crypto_box and Blake2b; hash-wasm for SHA-256 and Blake3; scrypt in our SIMD
// WebAssembly (crypto/wasm-scrypt.ts, faster than hash-wasm's; its instance and a login's 128 MiB kept,
// wiped, for a minute after the last call, then left to the garbage collector: dropping it at once put
// that collection into the sign-in), hash-wasm's where WebAssembly SIMD is unavailable; @noble/hashes
// for HMAC-SHA256 and HMAC-SHA1 (TOTP); WebCrypto getRandomValues; @noble/post-quantum for ML-KEM-1024. No node:*, no Buffer.
import sodium from 'libsodium-wrappers'
import { createBLAKE3, createSHA256, scrypt as hashWasmScrypt } from 'hash-wasm'
import { hmac } from '@noble/hashes/hmac.js'
import { sha1 as nobleSha1 } from '@noble/hashes/legacy.js'
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'
import { DecryptionFailedError, InvalidCryptoInputError, InvalidSignatureError } from '../errors.ts'
import type { CryptoProvider } from '../provider.ts'
import { loadWasmScrypt, type WasmScrypt } from '../wasm-scrypt.ts'
import {
  BOX_KEY_BYTES, MAC_BYTES, NONCE_BYTES, SECRETBOX_KEY_BYTES, SIGNATURE_BYTES, SIGN_PUBLIC_BYTES, SIGN_SECRET_BYTES,
  SIGN_SEED_BYTES, checkApart, checkBytes, checkData, checkDigestTarget, checkRandomLength, checkScrypt, mlkem,
} from './shared.ts'

/** WebCrypto refuses more than 65536 bytes per getRandomValues call. */
const RANDOM_CHUNK = 65536

export async function createPortableCrypto(): Promise<CryptoProvider> {
  // our scrypt module is compiled now, not during the first sign-in (or, without SIMD, hash-wasm's by a tiny scrypt)
  const simdScrypt: Promise<WasmScrypt | undefined> = loadWasmScrypt({ keepMemory: true, releaseAfterMs: 60_000 }).then(async (ours) => {
    if (ours === undefined) await hashWasmScrypt({ password: new Uint8Array(1), salt: new Uint8Array(8), costFactor: 2, blockSize: 1, parallelism: 1, hashLength: 16, outputType: 'binary' })
    return ours
  })
  const [blake3, sha256, , ourScrypt] = await Promise.all([createBLAKE3(256), createSHA256(), sodium.ready, simdScrypt])
  const webcrypto = globalThis.crypto
  if (!webcrypto?.getRandomValues) throw new Error('globalThis.crypto.getRandomValues is not available')

  const randomBytes = (n: number): Uint8Array => {
    checkRandomLength(n)
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i += RANDOM_CHUNK) webcrypto.getRandomValues(out.subarray(i, Math.min(n, i + RANDOM_CHUNK)))
    return out
  }

  const provider: CryptoProvider = {
    name: 'portable',
    randomBytes,

    sha256(data) {
      checkData(data, 'data')
      return sha256.init().update(data).digest('binary')
    },
    sha256Into(data, out, offset) {
      checkData(data, 'data')
      checkDigestTarget(out, offset)
      out.set(sha256.init().update(data).digest('binary'), offset)
    },
    blake2b512(data) {
      checkData(data, 'data')
      return sodium.crypto_generichash(64, data, null)
    },
    blake3(data) {
      checkData(data, 'data')
      return blake3.init().update(data).digest('binary')
    },
    hmacSha256(key, data) {
      checkData(key, 'HMAC key')
      checkData(data, 'data')
      return hmac(nobleSha256, key, data)
    },
    hmacSha1(key, data) {
      checkData(key, 'HMAC key')
      checkData(data, 'data')
      return hmac(nobleSha1, key, data)
    },

    secretbox(message, nonce, key) {
      checkData(message, 'message')
      checkBytes(nonce, NONCE_BYTES, 'secretbox nonce')
      checkBytes(key, SECRETBOX_KEY_BYTES, 'secretbox key')
      return sodium.crypto_secretbox_easy(message, nonce, key)
    },
    secretboxOpen(boxed, nonce, key) {
      checkData(boxed, 'ciphertext')
      checkBytes(nonce, NONCE_BYTES, 'secretbox nonce')
      checkBytes(key, SECRETBOX_KEY_BYTES, 'secretbox key')
      if (boxed.length < MAC_BYTES) throw new DecryptionFailedError('secretbox ciphertext shorter than its MAC')
      try {
        return sodium.crypto_secretbox_open_easy(boxed, nonce, key)
      } catch (e) {
        throw new DecryptionFailedError('secretbox failed to open', { cause: e })
      }
    },
    secretboxInto(out, message, nonce, key) {
      checkData(message, 'message')
      checkBytes(out, message.length + MAC_BYTES, 'secretbox output')
      checkApart(out, message)
      out.set(provider.secretbox(message, nonce, key)) // libsodium.js returns its own copy out of the wasm heap
    },
    secretboxOpenInto(out, boxed, nonce, key) {
      const plain = provider.secretboxOpen(boxed, nonce, key)
      checkBytes(out, plain.length, 'secretbox output')
      checkApart(out, boxed)
      out.set(plain)
    },

    signKeyPairFromSeed(seed) {
      checkBytes(seed, SIGN_SEED_BYTES, 'Ed25519 seed')
      const { publicKey, privateKey } = sodium.crypto_sign_seed_keypair(seed)
      return { publicKey, secretKey: privateKey }
    },
    signAttached(message, secretKey) {
      checkData(message, 'message')
      checkBytes(secretKey, SIGN_SECRET_BYTES, 'Ed25519 secret key')
      return sodium.crypto_sign(message, secretKey)
    },
    openAttached(signed, publicKey) {
      checkData(signed, 'signed message')
      checkBytes(publicKey, SIGN_PUBLIC_BYTES, 'Ed25519 public key')
      if (signed.length < SIGNATURE_BYTES) throw new InvalidSignatureError('signed message shorter than a signature')
      const message = signed.subarray(SIGNATURE_BYTES)
      if (!sodium.crypto_sign_verify_detached(signed.subarray(0, SIGNATURE_BYTES), message, publicKey)) {
        throw new InvalidSignatureError('Ed25519 signature does not verify')
      }
      return message
    },
    signDetached(message, secretKey) {
      checkData(message, 'message')
      checkBytes(secretKey, SIGN_SECRET_BYTES, 'Ed25519 secret key')
      return sodium.crypto_sign_detached(message, secretKey)
    },
    verifyDetached(signature, message, publicKey) {
      checkData(signature, 'signature')
      checkData(message, 'message')
      checkBytes(publicKey, SIGN_PUBLIC_BYTES, 'Ed25519 public key')
      if (signature.length !== SIGNATURE_BYTES) return false
      return sodium.crypto_sign_verify_detached(signature, message, publicKey)
    },

    boxKeyPairFromSecret(secretKey) {
      checkBytes(secretKey, BOX_KEY_BYTES, 'Curve25519 secret key')
      return { publicKey: sodium.crypto_scalarmult_base(secretKey), secretKey: secretKey.slice() }
    },
    box(message, nonce, theirPublic, ourSecret) {
      checkData(message, 'message')
      checkBytes(nonce, NONCE_BYTES, 'box nonce')
      checkBytes(theirPublic, BOX_KEY_BYTES, 'Curve25519 public key')
      checkBytes(ourSecret, BOX_KEY_BYTES, 'Curve25519 secret key')
      try {
        return sodium.crypto_box_easy(message, nonce, theirPublic, ourSecret)
      } catch (e) {
        throw new InvalidCryptoInputError('crypto_box refused the key pair (small-order public key?)', { cause: e })
      }
    },
    boxOpen(boxed, nonce, theirPublic, ourSecret) {
      checkData(boxed, 'ciphertext')
      checkBytes(nonce, NONCE_BYTES, 'box nonce')
      checkBytes(theirPublic, BOX_KEY_BYTES, 'Curve25519 public key')
      checkBytes(ourSecret, BOX_KEY_BYTES, 'Curve25519 secret key')
      if (boxed.length < MAC_BYTES) throw new DecryptionFailedError('box ciphertext shorter than its MAC')
      try {
        return sodium.crypto_box_open_easy(boxed, nonce, theirPublic, ourSecret)
      } catch (e) {
        throw new DecryptionFailedError('crypto_box failed to open', { cause: e })
      }
    },

    ...mlkem(randomBytes),

    async scrypt(password, salt, log2N, r, p, dkLen) {
      const N = checkScrypt(password, salt, log2N, r, p, dkLen)
      if (ourScrypt !== undefined) return ourScrypt.scrypt(password, salt, log2N, r, p, dkLen)
      return hashWasmScrypt({ password, salt, costFactor: N, blockSize: r, parallelism: p, hashLength: dkLen, outputType: 'binary' })
    },
  }
  return provider
}
