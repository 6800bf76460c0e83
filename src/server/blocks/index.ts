// The server's raw block storage: the ServerBlockStore interface, its file (Peergos layout) and S3
// implementations, Peergos' block key scheme, and the typed errors they throw.
export * from './server-block-store.ts'
export * from './errors.ts'
export { FileBlockStore, type FileBlockStoreOptions } from './file-block-store.ts'
export { S3BlockStore, normalisePrefix, type S3BlockStoreOptions } from './s3-block-store.ts'
export { LEGACY_OWNER, cidToKey, keyToCid, shardOf, isValidOwnerDir } from './block-key.ts'
export { nodeFsOps, type FsOps, type FileHandleOps } from './fs-ops.ts'
export type { ScanReport } from './file-scan.ts'
