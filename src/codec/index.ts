// The codec layer: Peergos' CBOR model, CIDs and multibase, and their typed errors.
export * from './cbor.ts'
export * from './cbor-read.ts'
export * from './cid.ts'
export * from './errors.ts'
