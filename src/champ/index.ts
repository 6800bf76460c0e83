// The CHAMP layer (reference §3.1): Peergos' canonical hash trie over a block store.
export * from './block-store.ts'
export * from './champ.ts'
export { MAX_DEPTH, isBucket, mask, type ChampEntry, type ChampNode, type ChampParams, type ChampSlot } from './node.ts'
export { decodeNode, decodeNodeGeneric, encodeNode } from './node-codec.ts'
export * from './errors.ts'
