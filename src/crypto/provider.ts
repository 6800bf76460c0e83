// The one small crypto interface every layer uses (DESIGN.md "crypto/", reference §0.1).
// Two implementations pass one suite: providers/node.ts (sodium-native, node:crypto) and
// providers/portable.ts (browser-safe: libsodium-wrappers, @noble/*, hash-wasm).
// Everything is synchronous except scrypt; providers are created asynchronously (wasm init).

export interface SigningKeyPairBytes {
  /** 32-byte Ed25519 public key. */
  publicKey: Uint8Array
  /** 64-byte TweetNaCl secret key: seed ‖ public key. */
  secretKey: Uint8Array
}

export interface BoxKeyPairBytes {
  /** 32-byte Curve25519 public key. */
  publicKey: Uint8Array
  /** 32-byte Curve25519 secret key. */
  secretKey: Uint8Array
}

export interface MlKemKeyPairBytes {
  /** ML-KEM-1024 encapsulation key (1568 bytes). */
  publicKey: Uint8Array
  /** ML-KEM-1024 decapsulation key as Peergos stores it: the FIPS 203 dk (3168 bytes = dkPKE ‖ ek ‖ H(ek) ‖ z). */
  secretKey: Uint8Array
}

export interface CryptoProvider {
  readonly name: 'node' | 'portable'

  randomBytes(n: number): Uint8Array

  sha256(data: Uint8Array): Uint8Array
  /**
   * sha256(data) written into out[offset, offset + 32), with no buffer of its own: a listing hashes
   * ~20,000 blocks and BATs, and a digest's own backing store cost more garbage than the hashing.
   */
  sha256Into(data: Uint8Array, out: Uint8Array, offset: number): void
  /** Blake2b with a 64-byte digest (the PKI CHAMP key hash). */
  blake2b512(data: Uint8Array): Uint8Array
  /** Blake3 with a 32-byte digest. */
  blake3(data: Uint8Array): Uint8Array
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array
  /** HMAC-SHA1 (RFC 2104): only for TOTP (RFC 6238), which authenticator apps fix to SHA-1. */
  hmacSha1(key: Uint8Array, data: Uint8Array): Uint8Array

  /** XSalsa20-Poly1305, output = 16-byte MAC ‖ ciphertext (TweetNaCl-js layout). */
  secretbox(message: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array
  /** Inverse of secretbox; throws DecryptionFailedError. */
  secretboxOpen(boxed: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array
  /**
   * secretbox written into `out` (exactly message.length + 16 bytes, not overlapping `message`):
   * a large chunk sealed into a reused buffer instead of a fresh one.
   */
  secretboxInto(out: Uint8Array, message: Uint8Array, nonce: Uint8Array, key: Uint8Array): void
  /**
   * secretboxOpen written into `out` (exactly boxed.length - 16 bytes, not overlapping `boxed`);
   * throws DecryptionFailedError, and `out` then holds nothing to use.
   */
  secretboxOpenInto(out: Uint8Array, boxed: Uint8Array, nonce: Uint8Array, key: Uint8Array): void

  signKeyPairFromSeed(seed: Uint8Array): SigningKeyPairBytes
  /** Attached signature: 64-byte signature ‖ message. */
  signAttached(message: Uint8Array, secretKey: Uint8Array): Uint8Array
  /** Verifies an attached signature and returns the message (a view into `signed`, not a copy); throws InvalidSignatureError. */
  openAttached(signed: Uint8Array, publicKey: Uint8Array): Uint8Array
  signDetached(message: Uint8Array, secretKey: Uint8Array): Uint8Array
  /** False for a bad (or wrong-length) signature; a public key that is not 32 bytes is an InvalidCryptoInputError. */
  verifyDetached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean

  boxKeyPairFromSecret(secretKey: Uint8Array): BoxKeyPairBytes
  /** crypto_box: 16-byte MAC ‖ ciphertext. */
  box(message: Uint8Array, nonce: Uint8Array, theirPublic: Uint8Array, ourSecret: Uint8Array): Uint8Array
  /** Inverse of box; throws DecryptionFailedError. */
  boxOpen(boxed: Uint8Array, nonce: Uint8Array, theirPublic: Uint8Array, ourSecret: Uint8Array): Uint8Array

  mlkemKeyPair(seed?: Uint8Array): MlKemKeyPairBytes
  mlkemEncapsulate(publicKey: Uint8Array): { cipherText: Uint8Array; sharedSecret: Uint8Array }
  mlkemDecapsulate(cipherText: Uint8Array, secretKey: Uint8Array): Uint8Array

  /** scrypt with N = 2^log2N. */
  scrypt(password: Uint8Array, salt: Uint8Array, log2N: number, r: number, p: number, dkLen: number): Promise<Uint8Array>
}
