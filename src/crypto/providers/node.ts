// Node crypto provider (reference §0.1): sodium-native for XSalsa20-Poly1305 secretbox, Ed25519,
// Curve25519 crypto_box, Blake2b and randomness; node:crypto for SHA-256, HMAC (SHA-256, SHA-1); scrypt
// in our SIMD WebAssembly (crypto/wasm-scrypt.ts, about 1.5× OpenSSL's; one instance kept, so a
// login's 128 MiB stays resident, wiped) up to 256 MiB of V, node:crypto's beyond; hash-wasm for
// Blake3; @noble/post-quantum for ML-KEM-1024. The only file in src/crypto using node:* or sodium-native.
import { createHmac, hash as nodeHash, scrypt as nodeScrypt } from 'node:crypto'
import sodiumNative from 'sodium-native'
import { createBLAKE3 } from 'hash-wasm'
import { DecryptionFailedError, InvalidCryptoInputError, InvalidSignatureError } from '../errors.ts'
import type { CryptoProvider } from '../provider.ts'
import { WASM_SCRYPT_KEEPS_V_UP_TO, loadWasmScrypt } from '../wasm-scrypt.ts'
import {
  BOX_KEY_BYTES, MAC_BYTES, NONCE_BYTES, SECRETBOX_KEY_BYTES, SIGNATURE_BYTES, SIGN_PUBLIC_BYTES, SIGN_SECRET_BYTES,
  SHA256_BYTES, SIGN_SEED_BYTES, checkApart, checkBytes, checkData, checkDigestTarget, checkRandomLength, checkScrypt, mlkem,
} from './shared.ts'

// sodium-native accepts any typed array at runtime; its published types insist on Buffer.
interface Sodium {
  randombytes_buf(out: Uint8Array): void
  crypto_generichash(out: Uint8Array, input: Uint8Array): void
  crypto_secretbox_easy(c: Uint8Array, m: Uint8Array, n: Uint8Array, k: Uint8Array): void
  crypto_secretbox_open_easy(m: Uint8Array, c: Uint8Array, n: Uint8Array, k: Uint8Array): boolean
  crypto_sign_seed_keypair(pk: Uint8Array, sk: Uint8Array, seed: Uint8Array): void
  crypto_sign(sm: Uint8Array, m: Uint8Array, sk: Uint8Array): void
  crypto_sign_detached(sig: Uint8Array, m: Uint8Array, sk: Uint8Array): void
  crypto_sign_verify_detached(sig: Uint8Array, m: Uint8Array, pk: Uint8Array): boolean
  crypto_scalarmult_base(q: Uint8Array, n: Uint8Array): void
  crypto_box_easy(c: Uint8Array, m: Uint8Array, n: Uint8Array, pk: Uint8Array, sk: Uint8Array): void
  crypto_box_open_easy(m: Uint8Array, c: Uint8Array, n: Uint8Array, pk: Uint8Array, sk: Uint8Array): boolean
}
const na = sodiumNative as unknown as Sodium

/** Output buffer: large ones skip zero-filling (every byte is overwritten) and own their ArrayBuffer. */
function alloc(n: number): Uint8Array {
  if (n < 4096) return new Uint8Array(n)
  const b = Buffer.allocUnsafeSlow(n)
  return new Uint8Array(b.buffer, b.byteOffset, n)
}

/** One scrypt instance per process, shared by every provider, so its kept memory is there once. */
let sharedScrypt: ReturnType<typeof loadWasmScrypt> | undefined

export async function createNodeCrypto(): Promise<CryptoProvider> {
  sharedScrypt ??= loadWasmScrypt({ keepMemory: true })
  const [blake3, wasmScrypt] = await Promise.all([createBLAKE3(256), sharedScrypt])

  const randomBytes = (n: number): Uint8Array => {
    checkRandomLength(n)
    const out = alloc(n)
    if (n > 0) na.randombytes_buf(out)
    return out
  }

  const secretboxInto = (out: Uint8Array, message: Uint8Array, nonce: Uint8Array, key: Uint8Array): void => {
    checkData(message, 'message')
    checkBytes(out, message.length + MAC_BYTES, 'secretbox output')
    checkBytes(nonce, NONCE_BYTES, 'secretbox nonce')
    checkBytes(key, SECRETBOX_KEY_BYTES, 'secretbox key')
    checkApart(out, message)
    na.crypto_secretbox_easy(out, message, nonce, key)
  }
  const secretboxOpenInto = (out: Uint8Array, boxed: Uint8Array, nonce: Uint8Array, key: Uint8Array): void => {
    checkData(boxed, 'ciphertext')
    checkBytes(nonce, NONCE_BYTES, 'secretbox nonce')
    checkBytes(key, SECRETBOX_KEY_BYTES, 'secretbox key')
    if (boxed.length < MAC_BYTES) throw new DecryptionFailedError('secretbox ciphertext shorter than its MAC')
    checkBytes(out, boxed.length - MAC_BYTES, 'secretbox output')
    checkApart(out, boxed)
    if (!na.crypto_secretbox_open_easy(out, boxed, nonce, key)) throw new DecryptionFailedError('secretbox failed to open')
  }

  return {
    name: 'node',
    randomBytes,

    sha256(data) {
      checkData(data, 'data')
      const digest = nodeHash('sha256', data, 'buffer') // its own 32-byte store: viewed, not copied
      return new Uint8Array(digest.buffer, digest.byteOffset, digest.length)
    },
    sha256Into(data, out, offset) {
      checkData(data, 'data')
      checkDigestTarget(out, offset)
      // as a 'binary' (latin1) string, one char per byte on V8's heap: no ArrayBuffer per digest
      const digest = nodeHash('sha256', data, 'binary')
      for (let i = 0; i < SHA256_BYTES; i++) out[offset + i] = digest.charCodeAt(i)
    },
    blake2b512(data) {
      checkData(data, 'data')
      const out = new Uint8Array(64)
      na.crypto_generichash(out, data)
      return out
    },
    blake3(data) {
      checkData(data, 'data')
      return blake3.init().update(data).digest('binary')
    },
    hmacSha256(key, data) {
      checkData(key, 'HMAC key')
      checkData(data, 'data')
      return new Uint8Array(createHmac('sha256', key).update(data).digest())
    },
    hmacSha1(key, data) {
      checkData(key, 'HMAC key')
      checkData(data, 'data')
      return new Uint8Array(createHmac('sha1', key).update(data).digest())
    },

    secretbox(message, nonce, key) {
      checkData(message, 'message')
      const out = alloc(message.length + MAC_BYTES)
      secretboxInto(out, message, nonce, key)
      return out
    },
    secretboxOpen(boxed, nonce, key) {
      checkData(boxed, 'ciphertext')
      const out = alloc(Math.max(0, boxed.length - MAC_BYTES))
      secretboxOpenInto(out, boxed, nonce, key)
      return out
    },
    secretboxInto,
    secretboxOpenInto,

    signKeyPairFromSeed(seed) {
      checkBytes(seed, SIGN_SEED_BYTES, 'Ed25519 seed')
      const publicKey = new Uint8Array(SIGN_PUBLIC_BYTES)
      const secretKey = new Uint8Array(SIGN_SECRET_BYTES)
      na.crypto_sign_seed_keypair(publicKey, secretKey, seed)
      return { publicKey, secretKey }
    },
    signAttached(message, secretKey) {
      checkData(message, 'message')
      checkBytes(secretKey, SIGN_SECRET_BYTES, 'Ed25519 secret key')
      const out = alloc(SIGNATURE_BYTES + message.length)
      na.crypto_sign(out, message, secretKey)
      return out
    },
    openAttached(signed, publicKey) {
      checkData(signed, 'signed message')
      checkBytes(publicKey, SIGN_PUBLIC_BYTES, 'Ed25519 public key')
      if (signed.length < SIGNATURE_BYTES) throw new InvalidSignatureError('signed message shorter than a signature')
      const message = signed.subarray(SIGNATURE_BYTES)
      if (!na.crypto_sign_verify_detached(signed.subarray(0, SIGNATURE_BYTES), message, publicKey)) {
        throw new InvalidSignatureError('Ed25519 signature does not verify')
      }
      return message
    },
    signDetached(message, secretKey) {
      checkData(message, 'message')
      checkBytes(secretKey, SIGN_SECRET_BYTES, 'Ed25519 secret key')
      const sig = new Uint8Array(SIGNATURE_BYTES)
      na.crypto_sign_detached(sig, message, secretKey)
      return sig
    },
    verifyDetached(signature, message, publicKey) {
      checkData(signature, 'signature')
      checkData(message, 'message')
      checkBytes(publicKey, SIGN_PUBLIC_BYTES, 'Ed25519 public key')
      if (signature.length !== SIGNATURE_BYTES) return false
      return na.crypto_sign_verify_detached(signature, message, publicKey)
    },

    boxKeyPairFromSecret(secretKey) {
      checkBytes(secretKey, BOX_KEY_BYTES, 'Curve25519 secret key')
      const publicKey = new Uint8Array(BOX_KEY_BYTES)
      na.crypto_scalarmult_base(publicKey, secretKey)
      return { publicKey, secretKey: secretKey.slice() }
    },
    box(message, nonce, theirPublic, ourSecret) {
      checkData(message, 'message')
      checkBytes(nonce, NONCE_BYTES, 'box nonce')
      checkBytes(theirPublic, BOX_KEY_BYTES, 'Curve25519 public key')
      checkBytes(ourSecret, BOX_KEY_BYTES, 'Curve25519 secret key')
      const out = alloc(message.length + MAC_BYTES)
      try {
        na.crypto_box_easy(out, message, nonce, theirPublic, ourSecret)
      } catch (e) {
        throw new InvalidCryptoInputError('crypto_box refused the key pair (small-order public key?)', { cause: e })
      }
      return out
    },
    boxOpen(boxed, nonce, theirPublic, ourSecret) {
      checkData(boxed, 'ciphertext')
      checkBytes(nonce, NONCE_BYTES, 'box nonce')
      checkBytes(theirPublic, BOX_KEY_BYTES, 'Curve25519 public key')
      checkBytes(ourSecret, BOX_KEY_BYTES, 'Curve25519 secret key')
      if (boxed.length < MAC_BYTES) throw new DecryptionFailedError('box ciphertext shorter than its MAC')
      const out = alloc(boxed.length - MAC_BYTES)
      if (!na.crypto_box_open_easy(out, boxed, nonce, theirPublic, ourSecret)) throw new DecryptionFailedError('crypto_box failed to open')
      return out
    },

    ...mlkem(randomBytes),

    scrypt(password, salt, log2N, r, p, dkLen) {
      let N: number
      try {
        N = checkScrypt(password, salt, log2N, r, p, dkLen)
      } catch (e) {
        return Promise.reject(e)
      }
      // ours on this thread (it blocks the event loop for the ~0.3 s of a login); a larger V goes to
      // OpenSSL on the threadpool, its memory freed after the call
      if (wasmScrypt !== undefined && 128 * r * N <= WASM_SCRYPT_KEEPS_V_UP_TO) return wasmScrypt.scrypt(password, salt, log2N, r, p, dkLen)
      // node's default maxmem (32 MiB) is too small for Peergos (N = 2^17, r = 8 needs 128 MiB).
      const maxmem = Math.max(32 * 2 ** 20, 128 * r * (N + p + 2) + 2 ** 20)
      return new Promise((resolve, reject) => {
        nodeScrypt(password, salt, dkLen, { N, r, p, maxmem }, (err, key) => {
          if (err) reject(new InvalidCryptoInputError(`scrypt failed: ${err.message}`, { cause: err }))
          else resolve(new Uint8Array(key))
        })
      })
    },
  }
}
