// The storage backends the conformance suites also run on: Postgres stores (a fresh schema per bundle
// or stack, dropped on close) and S3BlockStore on s3rver (a fresh bucket per bundle).
import { FileBlockStore, S3BlockStore } from '../../src/server/blocks/index.ts'
import { openStores } from '../../src/server/db/index.ts'
import type { RunningS3rver } from '../server/blocks/s3rver.ts'
import { S3RVER_CREDENTIALS } from '../server/blocks/s3rver.ts'
import { dropSchemas, uniqueSchema } from '../server/db/dialects.ts'
import { fileSqliteBackend, type BundleBackend } from '../server/services/local-bundle.ts'

/** Blocks in a FileBlockStore, rows in a new schema of the Postgres at `url`. */
export function postgresBackend(url: string): BundleBackend<FileBlockStore> {
  const schema = uniqueSchema()
  return {
    openBlocks: (crypto, root) => FileBlockStore.open({ root, crypto }),
    openStores: () => openStores({ kind: 'postgres', url, schema, poolSize: 4 }),
    cleanup: () => dropSchemas(url, [schema]),
  }
}

/** Blocks in a new bucket of `s3`, rows in SQLite files. */
export function s3Backend(s3: RunningS3rver): BundleBackend<S3BlockStore> {
  return {
    openBlocks: async (crypto) => S3BlockStore.open({ endpoint: s3.endpoint, bucket: await s3.newBucket(), ...S3RVER_CREDENTIALS, crypto }),
    openStores: fileSqliteBackend().openStores,
  }
}
