// The crypto layer's public surface (reference §0.1): the provider interface, its named errors and the
// Peergos-specific helpers. Providers are imported from their own files (providers/node.ts, providers/portable.ts).
export type { BoxKeyPairBytes, CryptoProvider, MlKemKeyPairBytes, SigningKeyPairBytes } from './provider.ts'
export { DecryptionFailedError, InvalidCryptoInputError, InvalidSignatureError } from './errors.ts'
export {
  POW_DEFAULT_DIFFICULTY, POW_MAX_DIFFICULTY, POW_PREFIX_BYTES, constantTimeEqual, generateProofOfWork, hkdfKey,
  loginScrypt, satisfiesDifficulty, splitLoginSecret,
} from './peergos.ts'
export type { LoginSecrets, ScryptParams } from './peergos.ts'
