// The byte sizes of the primitives every crypto provider implements (NaCl secretbox and box,
// Ed25519, ML-KEM-1024) and the limits on scrypt: one definition for the providers, the WebAssembly
// secretbox, the model's in-place openings and the web worker's heap secretbox. No dependencies.
export const SHA256_BYTES = 32
export const SECRETBOX_KEY_BYTES = 32
export const NONCE_BYTES = 24
/** XSalsa20-Poly1305's (and box's) Poly1305 MAC: a ciphertext is longer than its plaintext by it. */
export const MAC_BYTES = 16
export const SIGN_SEED_BYTES = 32
export const SIGN_PUBLIC_BYTES = 32
export const SIGN_SECRET_BYTES = 64
export const SIGNATURE_BYTES = 64
export const BOX_KEY_BYTES = 32
export const MLKEM_SEED_BYTES = 64
export const MLKEM_PUBLIC_BYTES = 1568
export const MLKEM_SECRET_BYTES = 3168
export const MLKEM_CIPHERTEXT_BYTES = 1568
/** Upper bound on scrypt's 128·r·N working memory (Peergos login uses 128 MiB; harder settings fit). */
export const SCRYPT_MAX_MEMORY = 2 ** 31
export const SCRYPT_MAX_OUTPUT = 4096
